"""The HTTP edge: Aspose.OCR Cloud 5.0 wire names live here and only here."""
