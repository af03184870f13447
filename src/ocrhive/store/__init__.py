"""Task and client storage: the port (base.py) and its adapters (sqlite, memory)."""
