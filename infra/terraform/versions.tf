terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.60, < 6.0"
    }
  }

  # State lives in a backend you choose (S3 + DynamoDB lock, Terraform Cloud, …): configure it with
  # `terraform init -backend-config=...`; CI validates with `terraform init -backend=false`.
  backend "s3" {}
}

provider "aws" {
  region = var.region

  # Tags on every resource the provider creates, on top of the explicit `tags = local.tags`
  # (which the tests check resource by resource).
  default_tags {
    tags = local.tags
  }
}
