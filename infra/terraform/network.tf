# The data stores live in the private subnets of an existing VPC (the one of the Kubernetes
# cluster); only the cluster's node/pod security groups may reach them.

resource "aws_security_group" "postgres" {
  name        = "${local.prefix}-postgres"
  description = "PostgreSQL: reachable from the cluster only"
  vpc_id      = var.vpc_id
  tags        = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "postgres" {
  for_each                     = toset(var.client_security_group_ids)
  security_group_id            = aws_security_group.postgres.id
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "PostgreSQL from the cluster"
  tags                         = local.tags
}

resource "aws_security_group" "redis" {
  name        = "${local.prefix}-redis"
  description = "Redis: reachable from the cluster only"
  vpc_id      = var.vpc_id
  tags        = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "redis" {
  for_each                     = toset(var.client_security_group_ids)
  security_group_id            = aws_security_group.redis.id
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  description                  = "Redis (TLS) from the cluster"
  tags                         = local.tags
}

resource "aws_security_group" "kafka" {
  name        = "${local.prefix}-kafka"
  description = "MSK brokers: reachable from the cluster only"
  vpc_id      = var.vpc_id
  tags        = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "kafka" {
  for_each                     = toset(var.client_security_group_ids)
  security_group_id            = aws_security_group.kafka.id
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  # 9096: SASL/SCRAM over TLS (the only client listener enabled).
  from_port   = 9096
  to_port     = 9096
  description = "Kafka SASL_SSL from the cluster"
  tags        = local.tags
}
