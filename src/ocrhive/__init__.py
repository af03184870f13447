"""ocrhive: a self-hosted OCR service speaking the Aspose.OCR Cloud 5.0 REST API."""

__version__ = "0.2.0"
