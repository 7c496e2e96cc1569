"""Device drivers and their simulators: no Qt, no database."""
