"""The piper VITS engine with word timings from its phoneme alignments."""
