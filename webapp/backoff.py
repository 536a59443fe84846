"""The one retry pause used by the worker: timers that fail to fire and mails that fail to send."""
from __future__ import annotations

from datetime import timedelta


def doubling_pause(attempts: int, first: timedelta, longest: timedelta) -> timedelta:
    """Pause after `attempts` failures: first, 2×first, 4×first … capped at `longest`."""
    return min(first * (2 ** max(attempts - 1, 0)), longest)
