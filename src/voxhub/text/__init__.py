"""Text preparation: language detection, normalization, sentence splitting, chunking."""
