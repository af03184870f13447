"""Distributed mode: Celery worker nodes on a Redis broker, with heartbeats and a sweeper."""
