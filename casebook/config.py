"""Configuration from ``CASEBOOK_*`` environment variables, with safe defaults."""

import os
import secrets
from pathlib import Path

from casebook.paths import resource_dir


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path) -> str:
    """Use CASEBOOK_SECRET_KEY, else a key generated once into the instance folder.

    Generating it keeps a newcomer's ``make run`` working with no setup while
    never putting a secret in the repository; keeping it on disk keeps
    sessions valid across restarts.
    """
    configured = os.environ.get("CASEBOOK_SECRET_KEY")
    if configured:
        return configured
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def load_config(instance_path: Path, overrides: dict | None = None) -> dict:
    """Settings from the environment, then ``overrides`` on top."""
    overrides = overrides or {}
    https = _flag("CASEBOOK_HTTPS")
    database_url = os.environ.get("CASEBOOK_DATABASE_URL") or (
        f"sqlite:///{instance_path / 'casebook.sqlite3'}"
    )
    config = {
        "SECRET_KEY": overrides.get("SECRET_KEY") or _secret_key(instance_path),
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("CASEBOOK_REDIS_URL") or None,
        # Lets several sites (or test runs) share one Redis without sharing counts.
        "RATELIMIT_KEY_PREFIX": os.environ.get("CASEBOOK_REDIS_KEY_PREFIX", ""),
        "CASES_DIR": os.environ.get("CASEBOOK_CASES_DIR") or str(resource_dir("cases")),
        "SUPPORT_FILE": os.environ.get("CASEBOOK_SUPPORT_FILE") or None,
        "SITE_NAME": os.environ.get("CASEBOOK_SITE_NAME", "Casebook"),
        "PROXY_COUNT": int(os.environ.get("CASEBOOK_PROXY_COUNT", "0") or 0),
        "SIGNIN_RATE_LIMIT": os.environ.get(
            "CASEBOOK_SIGNIN_RATE_LIMIT", "10 per minute;30 per hour"
        ),
        "SIGNIN_ACCOUNT_RATE_LIMIT": os.environ.get(
            "CASEBOOK_SIGNIN_ACCOUNT_RATE_LIMIT", "5 per minute;20 per hour"
        ),
        "POST_RATE_LIMIT": os.environ.get(
            "CASEBOOK_POST_RATE_LIMIT", "10 per minute;100 per hour"
        ),
        "REPORT_RATE_LIMIT": os.environ.get(
            "CASEBOOK_REPORT_RATE_LIMIT", "10 per minute;50 per hour"
        ),
        "EXPORT_RATE_LIMIT": os.environ.get(
            "CASEBOOK_EXPORT_RATE_LIMIT", "10 per minute;100 per hour"
        ),
        "JOIN_RATE_LIMIT": os.environ.get(
            "CASEBOOK_JOIN_RATE_LIMIT", "20 per minute;200 per day"
        ),
        "INVITE_PAGE_RATE_LIMIT": os.environ.get(
            "CASEBOOK_INVITE_PAGE_RATE_LIMIT", "60 per minute;1000 per day"
        ),
        "DATA_DOWNLOAD_RATE_LIMIT": os.environ.get(
            "CASEBOOK_DATA_DOWNLOAD_RATE_LIMIT", "5 per hour"
        ),
        # Outgoing mail: without a host, messages go to the server log instead.
        "SMTP_HOST": os.environ.get("CASEBOOK_SMTP_HOST") or None,
        "SMTP_PORT": int(os.environ.get("CASEBOOK_SMTP_PORT", "") or 587),
        "SMTP_USERNAME": os.environ.get("CASEBOOK_SMTP_USERNAME") or None,
        "SMTP_PASSWORD": os.environ.get("CASEBOOK_SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _flag("CASEBOOK_SMTP_STARTTLS", default=True),
        "MAIL_FROM": os.environ.get("CASEBOOK_MAIL_FROM", "Casebook <casebook@localhost>"),
        # Links in mail sent outside a request (digests, reminders) start with this.
        "BASE_URL": os.environ.get("CASEBOOK_BASE_URL") or None,
        "PASSWORD_RESET_RATE_LIMIT": os.environ.get(
            "CASEBOOK_PASSWORD_RESET_RATE_LIMIT", "5 per minute;20 per hour"
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        # Bigger requests get the 413 page; 1 MiB is far above the longest post.
        "MAX_CONTENT_LENGTH": int(
            os.environ.get("CASEBOOK_MAX_CONTENT_LENGTH", "") or 1024 * 1024),
    }
    config.update(overrides)
    return config
