"""Speech recognition: engines, streaming sessions and transcripts."""
