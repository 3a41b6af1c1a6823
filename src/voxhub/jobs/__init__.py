"""Long-text jobs: chunked synthesis by Celery workers, tracked in the database."""
