"""Speech recognition engines: whisper, pocketsphinx, voice activity detection, a fake."""
