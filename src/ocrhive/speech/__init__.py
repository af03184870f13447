"""Speech synthesis: English text to WAV with a local engine."""
