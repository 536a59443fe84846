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
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("MELDROUTE_SECURE_COOKIES", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    }
