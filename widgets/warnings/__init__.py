"""The 预警 dock: warnings, their approval and CAP 1.2 exchange."""
