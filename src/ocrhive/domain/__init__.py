"""The pure core: tasks, recognition settings and the recognised document tree (stdlib only)."""
