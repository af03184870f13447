"""Engine benchmarks: Tesseract vs RapidOCR per language, and page segmentations."""
