"""Operational metrics: the task events port the service reports to (``events``), its Prometheus
adapter (``prometheus``), the multiprocess folder every process writes into (``processes``), the
scrape-time collectors and servers (``exposition``) and HTTP request timing (``http``)."""
