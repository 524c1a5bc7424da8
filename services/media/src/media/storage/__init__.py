"""S3 access: presigned URLs (pure SigV4) and the object operations the service needs (minio)."""
