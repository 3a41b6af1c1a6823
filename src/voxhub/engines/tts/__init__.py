"""Text-to-speech engines: kokoro, espeak, piper, remote, a fake."""
