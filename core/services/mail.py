"""Writing e-mail to the outbox. A message is queued in the caller's
transaction, so it exists exactly when the event that caused it was
committed; core.mailer delivers it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.models import OutboxMessage

SIGNATURE = "\n\n-- \nIOP-plattformen\nDet här meddelandet skickades automatiskt. Svara inte på det."


def queue(session: Session, *, to: str, subject: str, body: str, kind: str) -> OutboxMessage:
    """Queues a plain-text message in Swedish; the platform's signature is added."""
    message = OutboxMessage(recipient=to.strip(), subject=subject[:300], body=body.rstrip() + SIGNATURE, kind=kind)
    session.add(message)
    return message
