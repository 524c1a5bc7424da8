"""SMTP sink: accepts every mail and writes it to `<maildir>/<timestamp>-<n>.eml`.

Run as its own process: `python -m fitness_stack.smtp_sink --port P --maildir D`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import signal
import socket
from datetime import UTC, datetime
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session


class MaildirHandler:
    """Writes each message atomically (temp file + rename) so readers never see half a mail."""

    def __init__(self, maildir: Path) -> None:
        self.maildir = maildir
        self._counter = itertools.count(1)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        name = f"{stamp}-{next(self._counter)}.eml"
        # Envelope recipients are not always in the headers (Bcc): record them like an MTA would.
        prefix = (
            f"X-Envelope-From: {envelope.mail_from}\r\n"
            f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        content = envelope.original_content or b""
        tmp = self.maildir / f".{name}.tmp"
        tmp.write_bytes(prefix + content)
        os.replace(tmp, self.maildir / name)
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, maildir: Path) -> None:
    handler = MaildirHandler(maildir)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="fitness-smtp-sink"),
        host=host,
        port=port,
        family=socket.AF_INET,
    )
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"smtp sink on {host}:{port}, writing to {maildir}", flush=True)
    async with server:
        await stop.wait()


def answers(host: str, port: int) -> bool:
    """True when the sink greets with 220."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1.0) as sock:
        return sock.recv(64).startswith(b"220")
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", type=Path, required=True)
    args = parser.parse_args()
    args.maildir.mkdir(parents=True, exist_ok=True)
    asyncio.run(serve(args.host, args.port, args.maildir))


if __name__ == "__main__":
    main()
