"""Configuration. Everything a deployment changes comes from environment variables."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _instance_secret(instance_path: Path) -> str:
    """A per-installation secret for development: created once, kept in the instance folder."""
    secret_file = instance_path / "secret_key"
    if not secret_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        secret_file.write_text(secrets.token_hex(32))
        secret_file.chmod(0o600)
    return secret_file.read_text().strip()


def default_database_url(instance_path: Path) -> str:
    return f"sqlite:///{instance_path / 'meldroute.db'}"


def load_config(instance_path: Path) -> dict:
    env = os.environ
    return {
        "SECRET_KEY": env.get("MELDROUTE_SECRET_KEY") or _instance_secret(instance_path),
        "DATABASE_URL": env.get("DATABASE_URL") or default_database_url(instance_path),
        "WORKFLOWS_DIR": Path(env.get("MELDROUTE_WORKFLOWS_DIR", PROJECT_ROOT / "workflows")),
        "FORMS_DIR": Path(env.get("MELDROUTE_FORMS_DIR", PROJECT_ROOT / "forms")),
        # The school day ends here: "same day" deadlines fall due at this local time.
        "SCHOOL_DAY_END": env.get("MELDROUTE_SCHOOL_DAY_END", "17:00"),
        "WORKER_POLL_SECONDS": float(env.get("MELDROUTE_WORKER_POLL_SECONDS", "5")),
        "WORKER_BATCH_SIZE": int(env.get("MELDROUTE_WORKER_BATCH_SIZE", "100")),
        # Deadline notices (ISO-8601 durations): a reminder this long before a task is due, an
        # escalation to the school's director(s) when it is still open this long after.
        "REMINDER_LEAD_TIME": env.get("MELDROUTE_REMINDER_LEAD_TIME", "P2D"),
        "ESCALATION_DELAY": env.get("MELDROUTE_ESCALATION_DELAY", "P2D"),
        # Where links in mails point to.
        "PUBLIC_URL": env.get("MELDROUTE_PUBLIC_URL", "http://127.0.0.1:5000"),
        # Mail goes out over SMTP only when a server is set; without one (development, `meldroute
        # demo`) it stays in the outbox, readable in the app.
        "MAIL_SERVER": env.get("MELDROUTE_MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MELDROUTE_MAIL_PORT", "587")),
        "MAIL_USERNAME": env.get("MELDROUTE_MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MELDROUTE_MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": env.get("MELDROUTE_MAIL_USE_TLS", "1") == "1",  # STARTTLS
        "MAIL_FROM": env.get("MELDROUTE_MAIL_FROM", "Meldroute <meldroute@localhost>"),
        "MAIL_MAX_ATTEMPTS": int(env.get("MELDROUTE_MAIL_MAX_ATTEMPTS", "8")),
        # Server-side sessions end after this long without a request, and this long after login.
        "SESSION_IDLE_TIMEOUT": int(env.get("MELDROUTE_SESSION_IDLE_MINUTES", "30")),
        "SESSION_MAX_AGE": int(env.get("MELDROUTE_SESSION_MAX_HOURS", "12")),
        # A "Wachtwoord vergeten" link works this long; the link of a new account (a beheerder
        # made it) this long. Either works once.
        "PASSWORD_RESET_MINUTES": int(env.get("MELDROUTE_PASSWORD_RESET_MINUTES", "60")),
        "ACCOUNT_LINK_HOURS": int(env.get("MELDROUTE_ACCOUNT_LINK_HOURS", "72")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure cookies and HSTS follow MELDROUTE_PUBLIC_URL (https: on) unless set explicitly.
        "SECURE_COOKIES": {"1": True, "0": False}.get(env.get("MELDROUTE_SECURE_COOKIES", "")),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed: the audit
        # trail then carries the client's address, not the proxy's. 0: none (direct).
        "TRUSTED_PROXIES": int(env.get("MELDROUTE_TRUSTED_PROXIES", "0")),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # A task's draft (the typed answers, not its files) may be at most this large.
        "DRAFT_MAX_KB": int(env.get("MELDROUTE_DRAFT_MAX_KB", "256")),
    }
