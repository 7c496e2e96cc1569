"""Monitoring views: the station list and the charts (pyqtgraph)."""
