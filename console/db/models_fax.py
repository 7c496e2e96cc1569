"""Tables of fax jobs and received faxes."""

from __future__ import annotations
