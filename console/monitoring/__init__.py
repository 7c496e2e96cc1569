"""Monitoring feeds: the station registry's model and the ingest server (the platform side).

``console.monitoring.model`` holds the station, parameter and threshold values (validated,
no database); ``console.services.monitoring`` stores them and the readings;
``console.monitoring.ingest`` listens for HJ 212 and SL 651 stations and feeds the service.
"""
