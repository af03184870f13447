"""The queue port (base.py) and its in-memory adapter; the embedded adapter lives in embedded/."""
