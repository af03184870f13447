"""Font identification: which families and style a page's text is set in."""
