"""Job events pushed between processes and streamed to clients."""
