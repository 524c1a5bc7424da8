"""docs/runbook.md keeps up with what it documents: a section per alert of
infra/prometheus/rules.yml, the make targets and settings it tells people to use exist, and the
README links it."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = ROOT / "docs" / "runbook.md"


def _alerts() -> list[str]:
    rules = yaml.safe_load((ROOT / "infra" / "prometheus" / "rules.yml").read_text())
    return [r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r]


def _sections() -> dict[str, str]:
    text = RUNBOOK.read_text()
    parts = re.split(r"^### (.+)$", text, flags=re.MULTILINE)
    return {
        title.split(" (")[0].strip(): body
        for title, body in zip(parts[1::2], parts[2::2], strict=True)
    }


def test_every_alert_has_a_section_saying_what_it_means_and_what_to_do() -> None:
    alerts = _alerts()
    assert len(alerts) >= 10
    sections = _sections()
    missing = [a for a in alerts if a not in sections]
    assert missing == []
    for alert in alerts:
        body = sections[alert]
        assert "**Means:**" in body, alert
        assert "**Do:**" in body, alert


def test_commands_the_runbook_names_exist() -> None:
    text = RUNBOOK.read_text()
    makefile = (ROOT / "Makefile").read_text()
    # `make x` in code spans, and `make x` starting a line of a code block
    targets = set(re.findall(r"(?:^|`)make ([a-z][a-z-]*)", text, flags=re.MULTILINE))
    assert {"backup", "restore", "up", "down"} <= targets
    for target in targets:
        assert re.search(rf"^{target}:", makefile, flags=re.MULTILINE), f"make {target}"
    settings = (ROOT / "services" / "identity" / "src" / "identity" / "settings.py").read_text()
    assert "signing_keys:" in settings  # IDENTITY_SIGNING_KEYS
    assert "access_token_ttl_s:" in settings
    keys = (ROOT / "services" / "identity" / "src" / "identity" / "keys.py").read_text()
    assert "def generate_key(" in keys  # the generator the rotation procedure calls
    assert "fitness-postgres-backup" in text
    assert (ROOT / "helm" / "fitness" / "templates" / "backup-cronjob.yaml").is_file()


def test_readme_links_the_runbook() -> None:
    assert "(docs/runbook.md" in (ROOT / "README.md").read_text()
