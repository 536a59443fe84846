"""Which passwords Meldroute accepts: long enough, and not easy to guess.

Everywhere a password is set (the `meldroute user create` prompt, a user's own change, a reset
link, an account a beheerder made) goes through `check_password`. Length alone is not enough:
zxcvbn (offline: its dictionaries of common passwords, names and words ship with the package)
estimates how many guesses a password takes. Its dictionaries are English, so the words a
Dutch school's password is most often made of — the school's name, the user's own name and
address, and the usual Dutch words — are given to it as well: "delinde12345" at De Linde is weak.
"""
from __future__ import annotations

import re

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 200
# zxcvbn's scores: 3 = "safely unguessable: moderate protection from offline slow-hash attacks"
MIN_SCORE = 3
# zxcvbn's time grows with the length of what it is given; the first characters decide anyway.
EVALUATED_LENGTH = 100

DUTCH_WORDS = (
    "meldroute", "meldcode", "wachtwoord", "welkom", "geheim", "school", "basisschool", "leerling",
    "leerlingen", "leerkracht", "juf", "meester", "directeur", "directie", "beheer", "beheerder",
    "bestuur", "stichting", "klas", "groep", "zorg", "ouders", "kind", "kinderen", "zomer", "winter",
    "lente", "herfst", "voorjaar", "najaar", "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december", "maandag", "dinsdag",
    "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag", "hallo", "welkom01", "nederland",
    "amsterdam", "rotterdam", "utrecht", "voetbal", "schat", "liefde", "vakantie",
)

_WARNINGS = {
    "This is a top-10 common password.": "Dit is een van de meest gebruikte wachtwoorden.",
    "This is a top-100 common password.": "Dit is een van de meest gebruikte wachtwoorden.",
    "This is a very common password.": "Dit is een veelgebruikt wachtwoord.",
    "This is similar to a commonly used password.": "Dit lijkt op een veelgebruikt wachtwoord.",
    "Repeats like \"aaa\" are easy to guess.": "Herhalingen zoals ‘aaa’ zijn makkelijk te raden.",
    "Sequences like abc or 6543 are easy to guess.": "Reeksen zoals ‘abc’ of ‘6543’ zijn makkelijk te raden.",
    "Recent years are easy to guess.": "Jaartallen zijn makkelijk te raden.",
    "Dates are often easy to guess.": "Datums zijn makkelijk te raden.",
    "Straight rows of keys are easy to guess.": "Rijen toetsen naast elkaar zijn makkelijk te raden.",
    "Short keyboard patterns are easy to guess.": "Toetsenbordpatronen zijn makkelijk te raden.",
    "Names and surnames by themselves are easy to guess.": "Namen zijn makkelijk te raden.",
    "Common names and surnames are easy to guess.": "Namen zijn makkelijk te raden.",
    "A word by itself is easy to guess.": "Een los woord is makkelijk te raden.",
}
ADVICE = "Kies een langere zin van een paar losse woorden die niets met u of de school te maken hebben."


class WeakPassword(ValueError):
    """Why the password is refused, in Dutch."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def personal_words(*texts: str | None) -> list[str]:
    """The words of a name, e-mail address or school name, and the whole of each, lower case:
    zxcvbn then recognises them in a password (also joined, like "delinde")."""
    words: list[str] = []
    for text in texts:
        text = (text or "").strip().lower()
        if not text:
            continue
        parts = [part for part in re.split(r"[^0-9a-zà-ÿ]+", text) if part]
        words += [text, "".join(parts), *(part for part in parts if len(part) >= 3)]
    return words


def check_password(password: str, *, name: str | None = None, email: str | None = None,
                   school_names: tuple[str, ...] | list[str] = ()) -> None:
    """Raise WeakPassword with the reason when `password` may not be used."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"Het wachtwoord moet minstens {MIN_LENGTH} tekens hebben.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"Het wachtwoord mag hoogstens {MAX_LENGTH} tekens hebben.")
    inputs = [*DUTCH_WORDS, *personal_words(name, email, *school_names)]
    result = zxcvbn(password[:EVALUATED_LENGTH], user_inputs=inputs)
    if result["score"] < MIN_SCORE:
        warning = _WARNINGS.get(result["feedback"].get("warning") or "", "")
        raise WeakPassword(" ".join(filter(None, ["Dit wachtwoord is te makkelijk te raden.", warning, ADVICE])))
