"""OCR engines behind one small protocol: ``recognize(image, request) → Page``."""

import os

# Tesseract's own OpenMP threading (when a build has it) fights with one task per worker
# process: limit it here, before any engine module can load the library.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
