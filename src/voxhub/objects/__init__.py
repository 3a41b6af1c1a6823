"""Object storage behind one interface: a local directory, S3/MinIO, and a fault-injecting fake."""
