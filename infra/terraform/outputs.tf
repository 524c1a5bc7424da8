output "rds_address" {
  description = "PostgreSQL host name (helm values `backup.database.host`, the services' DATABASE_URL)."
  value       = aws_db_instance.postgres.address
}

output "rds_port" {
  description = "PostgreSQL port."
  value       = aws_db_instance.postgres.port
}

output "rds_master_secret_arn" {
  description = "Secrets Manager secret with the generated master credentials (create the service roles with it)."
  value       = aws_db_instance.postgres.master_user_secret[0].secret_arn
}

output "redis_primary_endpoint" {
  description = "Redis primary endpoint; the URL is rediss://:<auth token>@<this>:6379/0."
  value       = aws_elasticache_replication_group.redis.primary_endpoint_address
}

output "kafka_bootstrap_brokers" {
  description = "MSK bootstrap servers for SASL/SCRAM over TLS (KAFKA_BOOTSTRAP_SERVERS)."
  value       = aws_msk_cluster.kafka.bootstrap_brokers_sasl_scram
}

output "kafka_cluster_arn" {
  description = "MSK cluster ARN (associate the services' SCRAM secrets with it)."
  value       = aws_msk_cluster.kafka.arn
}

output "media_bucket" {
  description = "Media bucket name (MEDIA_S3_BUCKET)."
  value       = aws_s3_bucket.this["media"].bucket
}

output "backups_bucket" {
  description = "Backups bucket name (helm values `backup.s3.bucket`)."
  value       = aws_s3_bucket.this["backups"].bucket
}

output "service_role_arns" {
  description = "IAM role ARN per service, for the eks.amazonaws.com/role-arn annotation of its ServiceAccount."
  value       = { for name, role in aws_iam_role.service : name => role.arn }
}

output "backup_role_arn" {
  description = "IAM role ARN of the backup CronJob (helm values `backup.serviceAccountAnnotations`)."
  value       = aws_iam_role.backup.arn
}

output "kms_key_arn" {
  description = "Customer-managed KMS key encrypting RDS, ElastiCache, MSK, S3 and logs."
  value       = aws_kms_key.data.arn
}
