"""Delivering the outbox (core.models.mail): ``iop mail send [--loop]``.

Each message is claimed before it is sent (pending → sending, a conditional
update that only one sender can win), so two senders never send the same
message, and it is marked sent as soon as the SMTP server has accepted it. A
failure the server calls temporary, or no answer at all, is retried later
with a growing pause; a permanent refusal, or too many attempts, marks the
message failed. A message found still "sending" long after its claim (the
sender stopped in the middle) is not sent again, since it may have arrived:
it is marked failed with the reason, for an operator to look at. Never twice
comes before always.

With no SMTP server configured (IOP_SMTP_URL unset) every message is written
as an .eml file to the data directory's ``mail`` folder instead.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker

from core.db import utcnow
from core.models.mail import FAILED, PENDING, SENDING, SENT, OutboxMessage

MAX_ATTEMPTS = 8
FIRST_PAUSE = timedelta(minutes=1)
MAX_PAUSE = timedelta(hours=1)
# A claim older than this belongs to a sender that stopped.
STALE_CLAIM = timedelta(minutes=15)
SMTP_TIMEOUT_SECONDS = 30


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): retrying cannot help."""


@dataclass(frozen=True)
class SmtpTransport:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    # "plain", "starttls" or "ssl"
    security: str = "plain"

    @classmethod
    def from_url(cls, url: str) -> SmtpTransport:
        """smtp://[user:password@]host[:port][?starttls=1] or smtps://…"""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"IOP_SMTP_URL: {url!r} ska vara smtp://värd:port eller smtps://värd:port")
        starttls = parse_qs(parts.query).get("starttls", ["0"])[-1].lower() in ("1", "true", "yes")
        security = "ssl" if parts.scheme == "smtps" else ("starttls" if starttls else "plain")
        return cls(host=parts.hostname, port=parts.port or (465 if security == "ssl" else 25),
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None, security=security)

    def send(self, message: EmailMessage) -> None:
        if self.security == "ssl":
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)
        with client:
            if self.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if self.username:
                client.login(self.username, self.password or "")
            try:
                client.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                code = getattr(exc, "smtp_code", None)
                if code is None and isinstance(exc, smtplib.SMTPRecipientsRefused):
                    code = min(c for c, _ in exc.recipients.values())
                if code is not None and 500 <= code < 600:
                    raise PermanentFailure(str(exc)) from exc
                raise


@dataclass(frozen=True)
class FolderTransport:
    """Writes each message as an .eml file: the demo's and a developer's mail."""

    directory: Path

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").split("@")[0]
        temporary = self.directory / f".{name}.tmp"
        temporary.write_bytes(bytes(message))
        temporary.rename(self.directory / f"{name}.eml")


def transport_for(settings) -> Transport:
    if settings.smtp_url:
        return SmtpTransport.from_url(settings.smtp_url)
    return FolderTransport(settings.mail_dir)


def build(row: OutboxMessage, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.recipient
    message["Subject"] = row.subject
    # One id per outbox row: a message sent is recognisable as that row.
    message["Message-ID"] = make_msgid(idstring=f"iop-{row.id}", domain="iop.invalid")
    message["Date"] = format_datetime(row.created_at)
    message.set_content(row.body, subtype="plain", charset="utf-8")
    return message


@dataclass
class Delivery:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _pause(attempts: int) -> timedelta:
    return min(FIRST_PAUSE * 2 ** max(0, attempts - 1), MAX_PAUSE)


def deliver(factory: sessionmaker, transport: Transport, sender: str, *, now: datetime | None = None,
            limit: int = 100) -> Delivery:
    """Sends what is due, at most ``limit`` messages; see the module's docstring."""
    now = now or utcnow()
    result = Delivery()
    with factory() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == SENDING, OutboxMessage.claimed_at < now - STALE_CLAIM)
            .values(status=FAILED, last_error="Sändningen avbröts; meddelandet kan ha kommit fram och skickas inte igen.")
        )
        session.commit()
        due = session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
        ).all()
        for message_id in due:
            claimed = session.execute(
                update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.status == PENDING)
                .values(status=SENDING, claimed_at=now)
            ).rowcount
            session.commit()
            if claimed != 1:
                continue  # another sender has it
            row = session.get(OutboxMessage, message_id)
            try:
                transport.send(build(row, sender))
            except PermanentFailure as exc:
                row.status, row.attempts, row.last_error = FAILED, row.attempts + 1, str(exc)[:500]
                result.failed += 1
            except (OSError, smtplib.SMTPException) as exc:
                row.attempts += 1
                row.last_error = (str(exc) or type(exc).__name__)[:500]
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = FAILED
                    result.failed += 1
                else:
                    row.status, row.next_attempt_at = PENDING, now + _pause(row.attempts)
                    result.retried += 1
            else:
                row.status, row.sent_at, row.attempts = SENT, utcnow(), row.attempts + 1
                result.sent += 1
            session.commit()
    return result
