"""Audio: encoding to wav/mp3/opus/flac/pcm, resampling, silence trimming."""
