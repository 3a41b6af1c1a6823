"""Audio: encoding to wav/mp3/opus/flac/aac/pcm, resampling, silence trimming."""
