"""Timers and mails back off by the same rule: doubling pauses up to a ceiling."""
from __future__ import annotations

from datetime import timedelta

from webapp.backoff import doubling_pause
from webapp.notifications.mail import MailSettings
from webapp.worker.timer_firing import RetryPolicy


def minutes(pause: timedelta) -> float:
    return pause.total_seconds() / 60


def test_pauses_double_from_the_first_up_to_the_ceiling():
    pauses = [doubling_pause(n, timedelta(minutes=1), timedelta(minutes=10)) for n in range(7)]
    assert [minutes(p) for p in pauses] == [1, 1, 2, 4, 8, 10, 10]


def test_timer_retries_and_mail_retries_use_the_same_rule():
    retry = RetryPolicy(base=timedelta(minutes=3), longest=timedelta(minutes=20))
    mail = MailSettings(server="", port=25, username="", password="", use_tls=False, sender="x@example.test",
                        first_pause=timedelta(minutes=3), longest_pause=timedelta(minutes=20))
    assert [minutes(retry.pause_after(n)) for n in range(1, 6)] == [3, 6, 12, 20, 20]
    assert [mail.pause_after(n) for n in range(1, 6)] == [retry.pause_after(n) for n in range(1, 6)]
