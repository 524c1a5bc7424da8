"""infra/terraform, read with python-hcl2 (no terraform, no AWS account needed): every variable
declared is used and documented, every taggable resource carries `local.tags`, and the data stores
are private and encrypted with the retention the design asks for (DESIGN §6, issue 14).

When a `terraform` binary is on PATH, `terraform fmt -check` runs too, and `terraform validate`
plus `terraform test` (tests/plan.tftest.hcl: a plan against a mock provider) when the AWS
provider is available offline (a filesystem mirror); CI runs all three regardless
(.github/workflows/ci.yml, job `terraform`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hcl2
import pytest

TF = Path(__file__).resolve().parents[1]
FILES = sorted(TF.glob("*.tf"))
SERVICES = {"gateway", "identity", "nutrition", "training", "progress", "goals", "media"}

# AWS resource types in this configuration that have no `tags` argument. Any other type must be
# tagged, so a new resource type is checked until someone decides it cannot carry tags.
NOT_TAGGABLE = {
    "aws_kms_alias",
    "aws_msk_configuration",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_iam_role_policy_attachment",
}


def _unquote(value: Any) -> Any:
    """python-hcl2 keeps the quotes of string literals and block labels: drop them."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    if isinstance(value, dict):
        return {_unquote(k): _unquote(v) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    return value


def _parse(path: Path) -> dict[str, Any]:
    with path.open() as fh:
        return _unquote(hcl2.load(fh))


PARSED = {path.name: _parse(path) for path in FILES}


def _blocks(kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(file, block) for every top-level block of `kind` (resource, variable, output, …)."""
    for name, doc in PARSED.items():
        for block in doc.get(kind, []):
            yield name, block


def resources() -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for _, block in _blocks("resource"):
        for rtype, named in block.items():
            for rname, body in named.items():
                assert (rtype, rname) not in found, f"{rtype}.{rname} declared twice"
                found[(rtype, rname)] = body
    return found


def of_type(rtype: str) -> dict[str, dict[str, Any]]:
    return {name: body for (t, name), body in resources().items() if t == rtype}


def variables() -> dict[str, dict[str, Any]]:
    return {name: body for _, block in _blocks("variable") for name, body in block.items()}


def locals_() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for _, block in _blocks("locals"):
        merged.update(block)
    return merged


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _resolve_number(expr: Any) -> float:
    """A literal, or `${var.x}` resolved to that variable's default."""
    if isinstance(expr, int | float):
        return expr
    match = re.fullmatch(r"\$\{var\.(\w+)\}", str(expr))
    assert match, f"expected a number or a variable, got {expr!r}"
    return float(variables()[match.group(1)]["default"])


def _first(body: dict[str, Any], key: str) -> dict[str, Any]:
    (block,) = body[key]
    return block


def test_every_file_parses_and_declares_something() -> None:
    assert {"variables.tf", "outputs.tf", "versions.tf"} <= set(PARSED)
    assert all(PARSED.values())
    assert len(resources()) > 20


def test_every_variable_is_used_typed_and_described() -> None:
    declared = variables()
    assert declared
    # Every reference outside the variable blocks themselves (a validation refers to its own).
    used = set()
    for doc in PARSED.values():
        for kind, blocks in doc.items():
            if kind == "variable":
                continue
            for text in _strings(blocks):
                used.update(re.findall(r"\bvar\.(\w+)", text))
    assert sorted(set(declared) - used) == [], "declared but never used"
    assert sorted(used - set(declared)) == [], "used but not declared"
    for name, body in declared.items():
        assert body.get("description", "").strip(), f"variable {name}: no description"
        assert "type" in body, f"variable {name}: no type"


def test_every_output_is_described() -> None:
    outputs = {n: b for _, block in _blocks("output") for n, b in block.items()}
    assert {"rds_address", "backups_bucket", "media_bucket", "service_role_arns"} <= set(outputs)
    for name, body in outputs.items():
        assert body.get("description", "").strip(), f"output {name}: no description"


def test_every_taggable_resource_is_tagged() -> None:
    untagged = []
    for (rtype, rname), body in resources().items():
        if rtype in NOT_TAGGABLE:
            assert "tags" not in body, f"{rtype} is listed as not taggable but has tags"
            continue
        tags = str(body.get("tags", ""))
        if "local.tags" not in tags:
            untagged.append(f"{rtype}.{rname}")
    assert untagged == []
    tags = str(locals_()["tags"])
    for key in ("Project", "Environment", "ManagedBy"):
        assert key in tags
    assert "var.tags" in tags


def test_provider_is_pinned_and_tags_by_default() -> None:
    (terraform,) = [b for _, b in _blocks("terraform")]
    aws = _first(terraform, "required_providers")["aws"]
    assert aws["source"] == "hashicorp/aws"
    assert "<" in aws["version"], "an upper bound: a major provider upgrade is a decision"
    (provider,) = [b["aws"] for _, b in _blocks("provider")]
    assert "local.tags" in str(_first(provider, "default_tags")["tags"])


def test_rds_is_private_encrypted_and_keeps_14_days_of_backups() -> None:
    (db,) = of_type("aws_db_instance").values()
    assert _resolve_number(db["backup_retention_period"]) >= 14
    retention = variables()["db_backup_retention_days"]
    assert ">= 14" in str(retention["validation"]), "a smaller value must be refused"
    assert db["storage_encrypted"] is True
    assert "aws_kms_key" in db["kms_key_id"]
    assert db["publicly_accessible"] is False
    assert db["deletion_protection"] is True
    assert db["skip_final_snapshot"] is False
    assert db["manage_master_user_password"] is True, "no master password in the state"
    assert "password" not in db
    (subnets,) = of_type("aws_db_subnet_group").values()
    assert subnets["subnet_ids"] == "${var.private_subnet_ids}"
    (params,) = of_type("aws_db_parameter_group").values()
    forced = {p["name"]: p["value"] for p in params["parameter"]}
    assert forced["rds.force_ssl"] == "1"


def test_redis_uses_tls_auth_and_encryption_at_rest() -> None:
    (redis,) = of_type("aws_elasticache_replication_group").values()
    assert redis["transit_encryption_enabled"] is True
    assert redis["at_rest_encryption_enabled"] is True
    assert redis["auth_token"] == "${var.redis_auth_token}"
    assert variables()["redis_auth_token"]["sensitive"] is True
    assert "default" not in variables()["redis_auth_token"], "no token in the repository"
    (subnets,) = of_type("aws_elasticache_subnet_group").values()
    assert subnets["subnet_ids"] == "${var.private_subnet_ids}"


def test_msk_encrypts_in_transit_and_at_rest_and_is_not_public() -> None:
    (msk,) = of_type("aws_msk_cluster").values()
    encryption = _first(msk, "encryption_info")
    transit = _first(encryption, "encryption_in_transit")
    assert transit == {"client_broker": "TLS", "in_cluster": True}
    assert "aws_kms_key" in encryption["encryption_at_rest_kms_key_arn"]
    auth = _first(msk, "client_authentication")
    assert auth["unauthenticated"] is False
    brokers = _first(msk, "broker_node_group_info")
    assert brokers["client_subnets"] == "${var.private_subnet_ids}"
    access = _first(_first(brokers, "connectivity_info"), "public_access")
    assert access["type"] == "DISABLED"


def _applies_to(body: dict[str, Any], bucket: str) -> bool:
    """Whether a bucket-settings resource targets `aws_s3_bucket.<bucket>` (directly or as
    `for_each = aws_s3_bucket.<bucket>` with `bucket = each.value.id`)."""
    target = str(body.get("bucket", ""))
    if re.search(rf"aws_s3_bucket\.{bucket}\b", target):
        return True
    return body.get("for_each") == f"${{aws_s3_bucket.{bucket}}}" and "each.value" in target


def _settings_for(rtype: str, bucket: str) -> list[dict[str, Any]]:
    return [b for b in of_type(rtype).values() if _applies_to(b, bucket)]


def test_buckets_media_and_backups_exist() -> None:
    (buckets,) = of_type("aws_s3_bucket").values()
    assert buckets["for_each"] == "${local.buckets}"
    assert set(locals_()["buckets"]) == {"media", "backups"}


@pytest.mark.parametrize("bucket", sorted(of_type("aws_s3_bucket")))
def test_every_bucket_blocks_public_access_is_versioned_and_encrypted(bucket: str) -> None:
    (block,) = _settings_for("aws_s3_bucket_public_access_block", bucket)
    for flag in (
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    ):
        assert block[flag] is True, flag
    (versioning,) = _settings_for("aws_s3_bucket_versioning", bucket)
    assert _first(versioning, "versioning_configuration")["status"] == "Enabled"
    (sse,) = _settings_for("aws_s3_bucket_server_side_encryption_configuration", bucket)
    default = _first(_first(sse, "rule"), "apply_server_side_encryption_by_default")
    assert default["sse_algorithm"] in ("aws:kms", "aws:kms:dsse", "AES256")
    (ownership,) = _settings_for("aws_s3_bucket_ownership_controls", bucket)
    assert _first(ownership, "rule")["object_ownership"] == "BucketOwnerEnforced"
    (policy,) = _settings_for("aws_s3_bucket_policy", bucket)
    assert "tls_only" in policy["policy"]


def test_backups_expire_after_14_days() -> None:
    lifecycles = [
        b
        for b in of_type("aws_s3_bucket_lifecycle_configuration").values()
        if 'aws_s3_bucket.this["backups"]' in str(b["bucket"])
    ]
    (lifecycle,) = lifecycles
    rule = _first(lifecycle, "rule")
    assert rule["status"] == "Enabled"
    assert _resolve_number(_first(rule, "expiration")["days"]) == 14
    assert _first(rule, "noncurrent_version_expiration")["noncurrent_days"] >= 1
    assert ">= 14" in str(variables()["backup_retention_days"]["validation"])


def test_one_role_per_service_and_bucket_access_only_where_needed() -> None:
    local = locals_()
    assert set(re.findall(r'"(\w+)"', str(local["services"]))) == SERVICES
    assert set(re.findall(r'"(\w+)"', str(local["media_writers"]))) == {"media", "progress"}
    role = of_type("aws_iam_role")["service"]
    assert role["for_each"] == "${local.services}"
    assert "backup" in of_type("aws_iam_role")
    attachments = of_type("aws_iam_role_policy_attachment")
    media = attachments["media_rw"]
    assert media["for_each"] == "${local.media_writers}"
    assert media["policy_arn"] == "${aws_iam_policy.media_rw.arn}"
    backups = attachments["backups_rw"]
    assert backups["role"] == "${aws_iam_role.backup.name}"
    assert backups["policy_arn"] == "${aws_iam_policy.backups_rw.arn}"
    # No other attachment hands out bucket policies.
    assert set(attachments) == {"media_rw", "backups_rw"}
    # Roles are assumed through the cluster's OIDC provider by one ServiceAccount each.
    text = (TF / "iam.tf").read_text()
    assert "sts:AssumeRoleWithWebIdentity" in text
    assert "system:serviceaccount:${var.kubernetes_namespace}:${each.value}" in text


def test_readme_documents_every_variable_and_output() -> None:
    readme = (TF / "README.md").read_text()
    outputs = {n for _, block in _blocks("output") for n in block}
    missing = [n for n in [*variables(), *outputs] if f"`{n}`" not in readme]
    assert missing == []


# ------------------------------------------------------------------ the real binary, if here


def _terraform() -> str:
    binary = shutil.which("terraform")
    if binary is None:
        pytest.skip("terraform not installed (CI's `terraform` job runs fmt and validate)")
    return binary


def test_terraform_fmt_is_clean() -> None:
    result = subprocess.run(
        [_terraform(), "fmt", "-check", "-diff", "-recursive", str(TF)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


MIRROR = Path(os.environ.get("FITNESS_TF_PLUGIN_MIRROR", "/opt/tf-plugins"))


@pytest.mark.timeout(240)
def test_terraform_validate_and_test_with_an_offline_provider(tmp_path: Path) -> None:
    binary = _terraform()
    if not (MIRROR / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
        pytest.skip(f"no AWS provider mirror at {MIRROR} (CI validates with the registry)")
    work = tmp_path / "tf"
    (work / "tests").mkdir(parents=True)
    for path in FILES:
        shutil.copy(path, work / path.name)
    plans = sorted((TF / "tests").glob("*.tftest.hcl"))
    assert plans, "no terraform test files"
    for path in plans:
        shutil.copy(path, work / "tests" / path.name)
    rc = tmp_path / "terraformrc"
    rc.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n}}\n'
    )
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(rc), "TF_IN_AUTOMATION": "1"}
    outputs = []
    for argv in (
        ["init", "-backend=false", "-input=false"],
        ["validate", "-no-color"],
        ["test", "-no-color"],
    ):
        result = subprocess.run(
            [binary, *argv],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=200,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        outputs.append(result.stdout)
    assert "The configuration is valid" in outputs[1]
    assert re.search(r"Success! \d+ passed, 0 failed", outputs[2]), outputs[2]
