"""Embedded mode's process model: the supervisor, its worker processes and their local queue."""
