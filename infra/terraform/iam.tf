# One role per service (IRSA: assumed only by that service's Kubernetes ServiceAccount), plus the
# backup job's role. Only media and progress may touch the media bucket; only the backup job the
# backups bucket. Services reach PostgreSQL, Redis and Kafka with credentials, not IAM.

data "aws_iam_policy_document" "assume" {
  for_each = merge(
    { for s in local.services : s => "${var.helm_fullname}-${s}" },
    { backup = local.backup_service_account },
  )

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.eks_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:sub"
      values   = ["system:serviceaccount:${var.kubernetes_namespace}:${each.value}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "service" {
  for_each             = local.services
  name                 = "${local.prefix}-${each.key}"
  description          = "fitness ${each.key} service (ServiceAccount ${var.helm_fullname}-${each.key})"
  assume_role_policy   = data.aws_iam_policy_document.assume[each.key].json
  max_session_duration = 3600
  tags                 = local.tags
}

resource "aws_iam_role" "backup" {
  name               = "${local.prefix}-postgres-backup"
  description        = "PostgreSQL backup CronJob (ServiceAccount ${local.backup_service_account})"
  assume_role_policy = data.aws_iam_policy_document.assume["backup"].json
  tags               = local.tags
}

data "aws_iam_policy_document" "media_rw" {
  statement {
    sid       = "ListMedia"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.this["media"].arn]
  }

  statement {
    sid       = "ReadWriteMedia"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${aws_s3_bucket.this["media"].arn}/*"]
  }

  statement {
    sid       = "UseTheDataKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.data.arn]
  }
}

resource "aws_iam_policy" "media_rw" {
  name        = "${local.prefix}-media-rw"
  description = "Read and write the media bucket"
  policy      = data.aws_iam_policy_document.media_rw.json
  tags        = local.tags
}

resource "aws_iam_role_policy_attachment" "media_rw" {
  for_each   = local.media_writers
  role       = aws_iam_role.service[each.key].name
  policy_arn = aws_iam_policy.media_rw.arn
}

data "aws_iam_policy_document" "backups_rw" {
  statement {
    sid       = "ListBackups"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.this["backups"].arn]
  }

  statement {
    sid       = "WriteAndPruneBackups"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${aws_s3_bucket.this["backups"].arn}/*"]
  }

  statement {
    sid       = "UseTheDataKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.data.arn]
  }
}

resource "aws_iam_policy" "backups_rw" {
  name        = "${local.prefix}-backups-rw"
  description = "Upload, list and prune PostgreSQL dumps in the backups bucket"
  policy      = data.aws_iam_policy_document.backups_rw.json
  tags        = local.tags
}

resource "aws_iam_role_policy_attachment" "backups_rw" {
  role       = aws_iam_role.backup.name
  policy_arn = aws_iam_policy.backups_rw.arn
}
