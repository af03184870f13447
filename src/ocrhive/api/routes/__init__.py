"""Route modules, one per part of the API surface."""
