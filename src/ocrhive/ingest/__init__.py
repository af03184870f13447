"""Submitted bytes → page images: format sniffing, limits, and documents read page by page."""
