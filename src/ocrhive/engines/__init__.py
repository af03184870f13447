"""OCR engines behind one small protocol: ``recognize(image, request) → Page``."""
