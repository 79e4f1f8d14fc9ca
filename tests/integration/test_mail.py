"""The e-mail outbox and its sender (core.mailer): delivered over real SMTP,
retried after a failure, never sent twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core import mailer
from core.db import utcnow
from core.models import OutboxMessage
from core.models.mail import FAILED, PENDING, SENDING, SENT
from core.services import mail
from tests.smtp import SmtpServer, free_port

SENDER = "IOP-plattformen <noreply@iop.test>"


def _queue(db, to="anna@forening.test", subject="Bekräfta din e-postadress", body="Hej!\n\nÖppna länken."):
    message = mail.queue(db, to=to, subject=subject, body=body, kind="test")
    db.commit()
    return message


def test_a_queued_message_is_delivered_over_smtp_once_with_a_swedish_plain_text_part(db, engine, smtp_server):
    _queue(db)
    transport = mailer.SmtpTransport.from_url(smtp_server.url)
    factory = _factory(engine)
    assert mailer.deliver(factory, transport, SENDER).sent == 1
    [received] = smtp_server.inbox.to("anna@forening.test")
    assert received["Subject"] == "Bekräfta din e-postadress"
    assert received["From"] == SENDER
    text = smtp_server.inbox.text(received)
    assert text.startswith("Hej!\n\nÖppna länken.") and "Svara inte" in text
    # A second run finds nothing to send: the message went once.
    assert mailer.deliver(factory, transport, SENDER).sent == 0
    assert len(smtp_server.inbox.messages) == 1
    row = db.scalar(select(OutboxMessage))
    db.refresh(row)
    assert row.status == SENT and row.sent_at is not None


def test_a_message_whose_transaction_rolled_back_is_never_sent(db, engine, smtp_server):
    mail.queue(db, to="bert@forening.test", subject="Kvitto", body="x", kind="test")
    db.rollback()
    assert mailer.deliver(_factory(engine), mailer.SmtpTransport.from_url(smtp_server.url), SENDER).sent == 0
    assert smtp_server.inbox.messages == []


def test_a_server_that_does_not_answer_is_tried_again_later_and_then_delivered(db, engine):
    _queue(db)
    port = free_port()
    transport = mailer.SmtpTransport.from_url(f"smtp://127.0.0.1:{port}")
    factory = _factory(engine)
    now = utcnow()
    assert mailer.deliver(factory, transport, SENDER, now=now).retried == 1
    row = db.scalar(select(OutboxMessage))
    db.refresh(row)
    assert row.status == PENDING and row.attempts == 1 and row.last_error
    assert row.next_attempt_at > now
    # Not due yet: nothing happens.
    assert mailer.deliver(factory, transport, SENDER, now=now).retried == 0
    server = SmtpServer(port).start()
    try:
        later = now + mailer.FIRST_PAUSE + timedelta(seconds=1)
        assert mailer.deliver(factory, transport, SENDER, now=later).sent == 1
        assert len(server.inbox.messages) == 1
    finally:
        server.stop()


def test_a_message_left_sending_by_a_stopped_sender_is_not_sent_again(db, engine, smtp_server):
    message = _queue(db)
    message.status, message.claimed_at = SENDING, utcnow() - mailer.STALE_CLAIM - timedelta(minutes=1)
    db.commit()
    assert mailer.deliver(_factory(engine), mailer.SmtpTransport.from_url(smtp_server.url), SENDER).sent == 0
    db.refresh(message)
    assert message.status == FAILED and "kan ha kommit fram" in message.last_error
    assert smtp_server.inbox.messages == []


def test_without_smtp_messages_are_written_to_the_mail_folder(db, engine, settings):
    _queue(db, subject="Återställ ditt lösenord")
    transport = mailer.transport_for(settings)
    assert isinstance(transport, mailer.FolderTransport)
    assert mailer.deliver(_factory(engine), transport, SENDER).sent == 1
    [written] = list(settings.mail_dir.glob("*.eml"))
    assert "Återställ ditt lösenord" in written.read_bytes().decode("utf-8", "replace") or \
        b"=?utf-8?" in written.read_bytes()


def test_smtp_urls_are_read_with_their_security():
    assert mailer.SmtpTransport.from_url("smtp://mail.example.se") == mailer.SmtpTransport("mail.example.se", 25)
    t = mailer.SmtpTransport.from_url("smtp://user%40x:p%C3%A5ss@mail.example.se:587?starttls=1")
    assert (t.port, t.security, t.username, t.password) == (587, "starttls", "user@x", "påss")
    assert mailer.SmtpTransport.from_url("smtps://mail.example.se").port == 465


def _factory(engine):
    from core.db import make_sessionmaker
    from core.tenancy import Scope

    return make_sessionmaker(engine, Scope.system())
