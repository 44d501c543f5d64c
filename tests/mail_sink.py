"""A local SMTP server (aiosmtpd) that keeps what it receives, and the settings pointing at it."""

from __future__ import annotations

import asyncio
import contextlib
import email
import socket
from email import policy

from aiosmtpd.controller import Controller

from server.settings import get_settings, use_settings
from tests.world import settings_with


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    def __init__(self) -> None:
        self.received: list = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope)
        return "250 OK"

    async def mails(self, n: int, wait: float = 5) -> list[tuple[list[str], email.message.EmailMessage]]:
        """The first ``n`` mails (recipients, message), waiting up to ``wait`` seconds for them to arrive."""
        for _ in range(int(wait * 10)):
            if len(self.received) >= n:
                break
            await asyncio.sleep(0.1)
        return [(e.rcpt_tos, email.message_from_bytes(e.content, policy=policy.default)) for e in self.received[:n]]


@contextlib.contextmanager
def smtp_sink(port: int | None = None, **settings):
    """While open: an SMTP server on ``port`` (default: a free one), and the server's settings using it."""
    port = port or free_port()
    sink = Sink()
    server = Controller(sink, hostname="127.0.0.1", port=port)
    server.start()
    saved = get_settings()
    try:
        use_settings(settings_with(smtp_host="127.0.0.1", smtp_port=port, smtp_from="ducha@example.cn", **settings))
        yield sink
    finally:
        use_settings(saved)
        server.stop()
