"""Webhooks (ocrhive's extension): which targets may be called, and who calls them."""
