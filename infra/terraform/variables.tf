variable "region" {
  description = "AWS region of every resource."
  type        = string
  default     = "eu-central-1"
}

variable "name" {
  description = "Project name: the first part of every resource name and the Project tag."
  type        = string
  default     = "fitness"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name: lower-case letters, digits and dashes, 2-21 characters."
  }
}

variable "environment" {
  description = "Environment name (prod, staging, …): the second part of every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.environment))
    error_message = "environment: lower-case letters, digits and dashes, 2-16 characters."
  }
}

variable "tags" {
  description = "Extra tags for every resource (Project, Environment and ManagedBy are always set)."
  type        = map(string)
  default     = {}
}

variable "vpc_id" {
  description = "VPC of the Kubernetes cluster; the data stores get security groups in it."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets (one per availability zone, at least three) for RDS, ElastiCache and the MSK brokers."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 3
    error_message = "private_subnet_ids: at least three subnets (MSK runs one broker per subnet, replication factor 3)."
  }
}

variable "client_security_group_ids" {
  description = "Security groups of the cluster's nodes/pods: the only sources allowed to reach PostgreSQL, Redis and Kafka."
  type        = list(string)
}

variable "db_engine_version" {
  description = "PostgreSQL engine version (major or major.minor), e.g. \"17.4\"."
  type        = string
  default     = "17.4"
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.medium"
}

variable "db_allocated_storage" {
  description = "Initial storage of the database, GiB."
  type        = number
  default     = 50
}

variable "db_max_allocated_storage" {
  description = "Storage autoscaling ceiling, GiB."
  type        = number
  default     = 500
}

variable "db_multi_az" {
  description = "Run a synchronous standby in a second availability zone."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  description = "Days of RDS automated backups (point-in-time recovery). At least 14 (restore points for two weeks)."
  type        = number
  default     = 14

  validation {
    condition     = var.db_backup_retention_days >= 14 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days: between 14 and 35 (the RDS maximum)."
  }
}

variable "backup_retention_days" {
  description = "Days the chart's daily pg_dump runs are kept in the backups bucket (lifecycle expiration). At least 14."
  type        = number
  default     = 14

  validation {
    condition     = var.backup_retention_days >= 14
    error_message = "backup_retention_days: at least 14."
  }
}

variable "media_noncurrent_days" {
  description = "Days an overwritten or deleted media object version is kept before it is removed for good."
  type        = number
  default     = 7
}

variable "redis_engine_version" {
  description = "ElastiCache Redis engine version (the services need 6.2 or later)."
  type        = string
  default     = "7.1"
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.small"
}

variable "redis_replicas" {
  description = "Read replicas next to the primary (0 = no automatic failover)."
  type        = number
  default     = 1
}

variable "redis_auth_token" {
  description = "Redis AUTH token (16-128 printable characters, no @, \" or /); pass it with TF_VAR_redis_auth_token, never in a file."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.redis_auth_token) >= 16 && length(var.redis_auth_token) <= 128 && !can(regex("[@\"/ ]", var.redis_auth_token))
    error_message = "redis_auth_token: 16-128 characters without @, \", / or spaces."
  }
}

variable "kafka_version" {
  description = "Apache Kafka version of the MSK cluster."
  type        = string
  default     = "3.6.0"
}

variable "kafka_instance_type" {
  description = "MSK broker instance type."
  type        = string
  default     = "kafka.t3.small"
}

variable "kafka_volume_size" {
  description = "EBS storage per broker, GiB."
  type        = number
  default     = 100
}

variable "eks_oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider (IRSA), e.g. arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/ABC."
  type        = string
}

variable "eks_oidc_issuer_url" {
  description = "The cluster's OIDC issuer URL (with or without https://)."
  type        = string
}

variable "kubernetes_namespace" {
  description = "Namespace the Helm release is installed in."
  type        = string
  default     = "fitness"
}

variable "helm_fullname" {
  description = "The chart's resource-name prefix (`fitness.fullname`: the release name, or <release>-fitness); ServiceAccounts are <fullname>-<service>."
  type        = string
  default     = "fitness"
}
