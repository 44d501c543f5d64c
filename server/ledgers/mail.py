"""E-mail a submitted ledger to the city office, when an SMTP server is configured."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any

import anyio

from server.ledgers import files
from server.ledgers.model import KINDS
from server.ledgers.tables import LedgerSubmission
from server.lib.mail import send
from server.settings import get_settings


def message(submission: dict[str, Any], job: dict[str, Any], county: str, data: bytes, anchor: str = "") -> EmailMessage:
    """The mail to the city office; ``anchor`` (a line of ``ducha audit anchor``) is the audit chain as
    it stood at the submission: kept with the mail, ``ducha audit verify --anchor`` checks it later."""
    s = get_settings()
    msg = EmailMessage()
    msg["Subject"] = f"【台账报送】{county} {submission['period']} {KINDS[job['kind']]}"
    msg["From"] = s.smtp_from
    msg["To"] = s.ledger_mail_to
    msg.set_content(f"{county}报送 {submission['period']} 月{KINDS[job['kind']]}。\n文件 SHA-256：{job['sha256']}\n"
                    f"台账摘要：{job['digest']}\n{'（逾期报送）' if submission['late'] else ''}"
                    + (f"\n审计链锚点（请留存，核对审计日志时用 ducha audit verify --anchor）：\n{anchor}\n" if anchor else ""))
    msg.add_attachment(data, maintype="application", subtype="pdf", filename=job["file_name"])
    return msg


async def notify_submission(submission: dict[str, Any], job: dict[str, Any]) -> bool:
    """Send it; a mail failure never undoes the submission (it is recorded, ``emailed`` stays false)."""
    from server.sites.tables import County

    s = get_settings()
    if not s.smtp_host or not s.ledger_mail_to:
        return False
    county = (await County.select(County.name).where(County.id == submission["county"]).first())["name"]
    from server.audit.service import anchor

    msg = message(submission, job, county, await anyio.to_thread.run_sync(files.read, job), (await anchor()).line())
    try:
        await anyio.to_thread.run_sync(send, msg)
    except (OSError, smtplib.SMTPException):
        return False
    from server.audit import service as audit
    from server.lib import db

    async with db.write():
        await LedgerSubmission.update({LedgerSubmission.emailed: True}).where(LedgerSubmission.id == submission["id"])
        await audit.record(audit.SYSTEM, "ledger.mailed", "ledger_submission", submission["id"],
                           data={"to": get_settings().ledger_mail_to, "sha256": job["sha256"]})
    return True
