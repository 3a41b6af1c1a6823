"""The Celery side of jobs: the app from settings, the embedded broker, tasks, workers."""
