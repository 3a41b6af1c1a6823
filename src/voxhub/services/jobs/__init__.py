"""Long-text jobs: submit, cancel, retry, the chunk and merge runner, reconciler, retention."""
