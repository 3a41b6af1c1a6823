"""The faster-whisper engine: model assembly, streaming sessions, cut-window decoding."""
