"""The outbox is delivered over SMTP to a real (local, in-test) SMTP server, with retries."""
from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from webapp.notifications.mail import MailSettings, deliver_outbox
from webapp.notifications.models import OutboxMail


class Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                              message_from_bytes(envelope.content, policy=default_policy)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def smtp_server(smtp_port):
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield collector
    controller.stop()


def settings_for(port: int, **overrides) -> MailSettings:
    return MailSettings(**{"server": "127.0.0.1", "port": port, "username": "", "password": "",
                           "use_tls": False, "sender": "Meldroute <meldroute@school.test>", **overrides})


def queue_mail(session, services, to="ib@school.test") -> int:
    mail = OutboxMail(to_address=to, subject="Herinnering: ‘Stap 1: besluit’ moet af vóór 09-03-2026 09:00",
                      body="In zaak 2026-00001 staat de taak open.\n\nOpenen in Meldroute: http://x/taken/1\n",
                      created_at=services.now(), attempts=0)
    session.add(mail)
    session.commit()
    return mail.id


def test_outbox_mail_is_delivered_over_smtp_once(session, services, database, smtp_server, smtp_port):
    mail_id = queue_mail(session, services)
    assert deliver_outbox(database, settings_for(smtp_port), services.now) == (1, 0)

    [(sender, recipients, message)] = smtp_server.messages
    assert sender == "meldroute@school.test" and recipients == ["ib@school.test"]
    assert message["Subject"].startswith("Herinnering: ‘Stap 1: besluit’")
    assert "2026-00001" in message.get_content()
    session.expire_all()
    sent = session.get(OutboxMail, mail_id)
    assert sent.sent_at == services.now() and sent.attempts == 1 and sent.last_error is None
    assert deliver_outbox(database, settings_for(smtp_port), services.now) == (0, 0)
    assert len(smtp_server.messages) == 1


def test_a_failed_delivery_is_recorded_and_retried_later(session, services, database, smtp_port):
    mail_id = queue_mail(session, services)
    settings = settings_for(smtp_port, max_attempts=3)
    assert deliver_outbox(database, settings, services.now) == (0, 1)  # nobody listens on the port yet
    session.expire_all()
    mail = session.get(OutboxMail, mail_id)
    assert mail.sent_at is None and mail.attempts == 1 and "Connection" in mail.last_error
    assert mail.next_attempt_at == services.now() + timedelta(minutes=1)
    assert deliver_outbox(database, settings, services.now) == (0, 0)  # waits for its next attempt

    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        services.environment.clock.advance(minutes=1)
        assert deliver_outbox(database, settings, services.now) == (1, 0)
    finally:
        controller.stop()
    assert len(collector.messages) == 1
    session.expire_all()
    assert session.get(OutboxMail, mail_id).sent_at == services.now()


def test_delivery_is_given_up_after_the_last_attempt(session, services, database, smtp_port):
    mail_id = queue_mail(session, services)
    settings = settings_for(smtp_port, max_attempts=2)
    deliver_outbox(database, settings, services.now)
    services.environment.clock.advance(minutes=1)
    deliver_outbox(database, settings, services.now)
    session.expire_all()
    mail = session.get(OutboxMail, mail_id)
    assert mail.attempts == 2 and mail.failed_at == services.now() and mail.sent_at is None
    services.environment.clock.advance(days=1)
    assert deliver_outbox(database, settings, services.now) == (0, 0)


def test_without_a_mail_server_mail_stays_in_the_outbox(session, services, database, app):
    queue_mail(session, services)
    settings = MailSettings.from_config({**app.config, "MAIL_SERVER": ""})
    assert not settings.delivers
    assert deliver_outbox(database, settings, services.now) == (0, 0)
    session.expire_all()
    assert session.scalars(select(OutboxMail.attempts)).all() == [0]
