"""Sending a mail through the configured SMTP server (plain SMTP, STARTTLS when offered)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from server.settings import get_settings


def send(msg: EmailMessage) -> None:
    """Blocking: call it from a thread. Raises OSError or smtplib.SMTPException when it fails."""
    s = get_settings()
    with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=30) as smtp:
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls()
            smtp.ehlo()
        smtp.send_message(msg)
