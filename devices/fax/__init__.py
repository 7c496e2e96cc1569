"""Fax: a Class 2.0 modem driver (send and receive) and Group 3 page encoding.

>>> from devices.fax.class2 import Class2Fax
>>> from devices.fax.g3 import encode_page, fit_to_pages, write_tiff
"""
