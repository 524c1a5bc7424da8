"""Contract check of the gateway's merged OpenAPI: schemathesis over real HTTP, no 5xx."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


@pytest.mark.slow
def test_gateway_openapi_with_schemathesis(gateway: Any, signer: Any, tmp_path: Path) -> None:
    cli = Path(sys.executable).parent / "schemathesis"
    token = signer.token(roles=["user", "admin"], exp_in=3600)
    result = subprocess.run(
        [
            str(cli),
            "run",
            f"{gateway.url}/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            "25",
            "--header",
            f"Authorization: Bearer {token}",
            "--seed",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
