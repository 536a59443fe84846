"""Who acts, and from where: one explicit value that travels with every change and read.

Pages and API endpoints make it from the request (`webapp.auth.session.current_actor`); the
worker and the command line have their own. The audit trail writes it as it is given: nothing
below the adapters looks at the request.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass


class Channel(str, enum.Enum):
    WEB = "web"
    API = "api"
    WORKER = "worker"
    CLI = "cli"


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    remote_addr: str | None = None
    channel: Channel = Channel.WEB

    @classmethod
    def person(cls, user_id: int, remote_addr: str | None = None, channel: Channel = Channel.WEB) -> Actor:
        return cls(user_id, remote_addr, channel)

    @classmethod
    def worker(cls) -> Actor:
        """The timer worker: fires timers and sends notices on nobody's behalf."""
        return cls(None, None, Channel.WORKER)

    @property
    def is_system(self) -> bool:
        """The worker (or the command line acting without a user): no personal policy applies."""
        return self.user_id is None
