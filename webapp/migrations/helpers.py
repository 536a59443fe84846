"""What several migrations need: SQLite table rebuilds with foreign keys switched off."""
from __future__ import annotations

from alembic import op


def foreign_keys_on_sqlite(enforced: bool) -> None:
    # SQLite changes a table by rebuilding it (drop, copy back under the same ids); rows of other
    # tables point at its rows, so the drop would be refused while foreign keys are enforced.
    # The driver runs this DDL outside a transaction, where the pragma takes effect.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"PRAGMA foreign_keys = {'ON' if enforced else 'OFF'}")
