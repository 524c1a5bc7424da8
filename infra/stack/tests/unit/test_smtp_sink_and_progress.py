import asyncio
import email
import io
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from fitness_stack.progress import Progress
from fitness_stack.smtp_sink import MaildirHandler


async def deliver_two(handler: MaildirHandler) -> None:
    for n in range(2):
        envelope: Any = SimpleNamespace(
            mail_from="noreply@fitness.example",
            rcpt_tos=["a@example.com", "hidden@example.com"],
            original_content=f"Subject: reset {n}\r\nTo: a@example.com\r\n\r\ntoken-{n}\r\n".encode(),
        )
        reply = await handler.handle_DATA(None, None, envelope)  # type: ignore[arg-type]
        assert reply.startswith("250")


def test_each_mail_becomes_one_eml_file(tmp_path: Path) -> None:
    asyncio.run(deliver_two(MaildirHandler(tmp_path)))
    files = sorted(tmp_path.glob("*.eml"))
    assert [f.name.split("-")[-1] for f in files] == ["1.eml", "2.eml"]
    assert not list(tmp_path.glob(".*.tmp"))
    msg = email.message_from_bytes(files[1].read_bytes())
    assert msg["Subject"] == "reset 1"
    assert msg["X-Envelope-To"] == "a@example.com, hidden@example.com"
    assert "token-1" in msg.get_payload()


def test_progress_lines() -> None:
    out = io.StringIO()
    progress = Progress(9, out)
    progress.begin("starting redis")
    progress.end("ok")
    assert out.getvalue().startswith("[1/9] starting redis … ok (")
    assert out.getvalue().endswith("s)\n")
