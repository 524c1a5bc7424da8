"""Layout of the state folder and the secrets generated once per state folder."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

SERVICES: tuple[str, ...] = ("identity", "nutrition", "training", "progress", "goals", "media")


@dataclass(frozen=True)
class StateDir:
    """Paths under one state folder (default `.local/dev/`)."""

    root: Path

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def pids(self) -> Path:
        return self.root / "pids"

    @property
    def postgres(self) -> Path:
        return self.root / "postgres"

    @property
    def redis(self) -> Path:
        return self.root / "redis"

    @property
    def s3(self) -> Path:
        return self.root / "s3"

    @property
    def maildir(self) -> Path:
        return self.root / "maildir"

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    def service_dir(self, name: str) -> Path:
        return self.root / "services" / name

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def pidfile(self, name: str) -> Path:
        return self.pids / f"{name}.pid"

    def create(self) -> None:
        for path in (self.root, self.logs, self.pids, self.maildir, self.keys):
            path.mkdir(parents=True, exist_ok=True)
        # Private keys and passwords live here; logs may contain connection URLs.
        os.chmod(self.keys, 0o700)

    def secrets(self) -> Secrets:
        return Secrets.load_or_create(self.root / "secrets.json")


@dataclass(frozen=True)
class Secrets:
    """Passwords and keys generated on the first `up` and reused after."""

    postgres_superuser: str
    s3_access_key: str
    s3_secret_key: str
    service_roles: dict[str, str]

    @classmethod
    def load_or_create(cls, path: Path) -> Secrets:
        data: dict = {}
        if path.exists():
            data = json.loads(path.read_text())
        changed = False

        def value(key: str, factory: str) -> str:
            nonlocal changed
            if key not in data:
                data[key] = factory
                changed = True
            return str(data[key])

        su = value("postgres_superuser", secrets.token_urlsafe(24))
        access = value("s3_access_key", "fitness" + secrets.token_hex(6))
        secret = value("s3_secret_key", secrets.token_urlsafe(30))
        roles = data.setdefault("service_roles", {})
        for name in SERVICES:
            if name not in roles:
                roles[name] = secrets.token_urlsafe(24)
                changed = True
        if changed:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, indent=2))
            os.chmod(tmp, 0o600)
            tmp.replace(path)
        return cls(
            postgres_superuser=su,
            s3_access_key=access,
            s3_secret_key=secret,
            service_roles=dict(roles),
        )
