"""Issue 14, password policy: short and easily guessed passwords are refused, with a Dutch reason;
the school's and the user's own words count as easily guessed."""
from __future__ import annotations

import pytest

from webapp.auth.password_policy import MAX_LENGTH, WeakPassword, check_password


@pytest.mark.parametrize("password, reason", [
    ("kort-wachtw", "minstens 12 tekens"),
    ("x" * (MAX_LENGTH + 1), "hoogstens"),
    ("password1234", "te makkelijk te raden"),
    ("welkom12345678", "te makkelijk te raden"),  # Dutch: not in zxcvbn's English lists by itself
    ("Wachtwoord2026!", "te makkelijk te raden"),
    ("aaaaaaaaaaaaaaaa", "te makkelijk te raden"),
])
def test_weak_passwords_are_refused(password, reason):
    with pytest.raises(WeakPassword, match=reason):
        check_password(password)


@pytest.mark.parametrize("password, context", [
    ("delinde12345", {"school_names": ["De Linde"]}),
    ("PieterJansen!1", {"name": "Pieter Jansen", "email": "p.jansen@linde.nl"}),
])
def test_the_school_and_the_users_own_words_count_as_guessable(password, context):
    check_password(password)  # strong enough for zxcvbn's own lists ...
    with pytest.raises(WeakPassword, match="te makkelijk te raden"):
        check_password(password, **context)  # ... not at that school, for that user


def test_a_long_passphrase_is_accepted():
    check_password("korenbloem-vijver-zaterdag", name="Pieter Jansen", email="p.jansen@linde.nl",
                   school_names=["De Linde"])
