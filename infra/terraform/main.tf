locals {
  prefix = "${var.name}-${var.environment}"

  tags = merge(var.tags, {
    Project     = var.name
    Environment = var.environment
    ManagedBy   = "terraform"
  })

  # One IAM role per deployable (helm/fitness `services:`), assumed by its Kubernetes
  # ServiceAccount `<release fullname>-<service>` through the cluster's OIDC provider (IRSA).
  services = toset(["gateway", "identity", "nutrition", "training", "progress", "goals", "media"])

  # Services that store and read user media (uploads, progress photos) in the media bucket.
  media_writers = toset(["media", "progress"])

  # The chart's backup CronJob runs as `<release fullname>-postgres-backup`.
  backup_service_account = "${var.helm_fullname}-postgres-backup"

  oidc_issuer = trimprefix(var.eks_oidc_issuer_url, "https://")
}

# One customer-managed key for data at rest: RDS, ElastiCache, MSK, S3, logs.
resource "aws_kms_key" "data" {
  description             = "${local.prefix}: data at rest (RDS, ElastiCache, MSK, S3)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  tags                    = local.tags
}

resource "aws_kms_alias" "data" {
  name          = "alias/${local.prefix}-data"
  target_key_id = aws_kms_key.data.key_id
}
