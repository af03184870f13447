"""Accuracy benchmark: the real decode → preprocess → Tesseract path against ground truth."""
