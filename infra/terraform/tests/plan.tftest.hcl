# `terraform test` (CI job `terraform`, and test_terraform.py when a provider mirror is at hand):
# plans against a mock AWS provider, so no account or credentials are needed, and checks what
# the configuration evaluates to with real variables.

# Computed values the provider validates on plan (JSON policies, ARNs) get realistic shapes.
mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }

  mock_resource "aws_kms_key" {
    defaults = {
      arn    = "arn:aws:kms:eu-central-1:123456789012:key/00000000-0000-0000-0000-000000000000"
      key_id = "00000000-0000-0000-0000-000000000000"
    }
  }

  mock_resource "aws_iam_policy" {
    defaults = {
      arn = "arn:aws:iam::123456789012:policy/mock"
    }
  }

  mock_resource "aws_s3_bucket" {
    defaults = {
      arn = "arn:aws:s3:::mock-bucket"
    }
  }
}

variables {
  environment               = "test"
  vpc_id                    = "vpc-0123456789abcdef0"
  private_subnet_ids        = ["subnet-a", "subnet-b", "subnet-c"]
  client_security_group_ids = ["sg-nodes"]
  redis_auth_token          = "0123456789abcdef0123456789abcdef"
  eks_oidc_provider_arn     = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/ABC"
  eks_oidc_issuer_url       = "https://oidc.eks.eu-central-1.amazonaws.com/id/ABC"
}

run "defaults" {
  command = plan

  assert {
    condition     = aws_db_instance.postgres.backup_retention_period >= 14
    error_message = "RDS keeps fewer than 14 days of automated backups"
  }

  assert {
    condition     = aws_db_instance.postgres.storage_encrypted && !aws_db_instance.postgres.publicly_accessible
    error_message = "RDS must be encrypted and private"
  }

  assert {
    condition     = aws_db_parameter_group.postgres.family == "postgres17"
    error_message = "the parameter group family must follow the engine's major version"
  }

  assert {
    condition = (
      aws_elasticache_replication_group.redis.transit_encryption_enabled
      && aws_elasticache_replication_group.redis.at_rest_encryption_enabled
      && aws_elasticache_replication_group.redis.num_cache_clusters == 2
    )
    error_message = "Redis: TLS, encryption at rest and one replica by default"
  }

  assert {
    condition     = aws_msk_cluster.kafka.number_of_broker_nodes == 3
    error_message = "one MSK broker per private subnet"
  }

  assert {
    condition     = toset(keys(aws_s3_bucket.this)) == toset(["media", "backups"])
    error_message = "buckets media and backups"
  }

  assert {
    condition = alltrue([
      for b in aws_s3_bucket_public_access_block.this :
      b.block_public_acls && b.block_public_policy && b.ignore_public_acls && b.restrict_public_buckets
    ])
    error_message = "every bucket blocks public access"
  }

  assert {
    condition     = alltrue([for v in aws_s3_bucket_versioning.this : v.versioning_configuration[0].status == "Enabled"])
    error_message = "every bucket is versioned"
  }

  assert {
    condition     = one(one(aws_s3_bucket_lifecycle_configuration.backups.rule).expiration).days == 14
    error_message = "backups expire after 14 days"
  }

  assert {
    condition     = toset(keys(aws_iam_role.service)) == toset(["gateway", "identity", "nutrition", "training", "progress", "goals", "media"])
    error_message = "one IAM role per service"
  }

  assert {
    condition     = toset(keys(aws_iam_role_policy_attachment.media_rw)) == toset(["media", "progress"])
    error_message = "only media and progress get the media bucket"
  }

  assert {
    condition     = aws_s3_bucket.this["backups"].tags["Environment"] == "test" && aws_iam_role.backup.tags["ManagedBy"] == "terraform"
    error_message = "resources carry local.tags"
  }

  assert {
    condition     = aws_s3_bucket.this["media"].bucket == "fitness-test-media"
    error_message = "bucket names are <name>-<environment>-<bucket>"
  }
}

run "retention_below_14_days_is_refused" {
  command = plan

  variables {
    db_backup_retention_days = 7
    backup_retention_days    = 3
  }

  expect_failures = [var.db_backup_retention_days, var.backup_retention_days]
}

run "two_subnets_are_refused" {
  command = plan

  variables {
    private_subnet_ids = ["subnet-a", "subnet-b"]
  }

  expect_failures = [var.private_subnet_ids]
}
