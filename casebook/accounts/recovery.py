"""Password reset and address verification by emailed link.

Callers may rely on: a reset link works once (it is bound to the password it
replaces) and for RESET_MAX_AGE seconds; asking for one behaves the same
whether or not the address has an account; a verification link confirms only
the address it was sent to, for VERIFY_MAX_AGE seconds.
"""

import hashlib

from flask import current_app
from sqlalchemy.orm import Session

from casebook.accounts.models import User
from casebook.accounts.service import find_by_email, hash_password
from casebook.db import utcnow
from casebook.mail import tokens
from casebook.mail.service import absolute_url, queue

RESET_MAX_AGE = 60 * 60
VERIFY_MAX_AGE = 7 * 24 * 60 * 60
_RESET, _VERIFY = "password-reset", "verify-email"


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def reset_token(user: User) -> str:
    return tokens.make(_RESET, {"u": user.id, "p": _password_fingerprint(user)})


def request_reset(session: Session, email: str) -> None:
    """Email a reset link when the address has an account; commits. Says nothing
    about whether it had one."""
    user = find_by_email(session, email)
    if user is None:
        return
    site = current_app.config["SITE_NAME"]
    queue(session, user.email, f"Reset your {site} password", "password_reset.txt",
          user=user, site=site, minutes=RESET_MAX_AGE // 60,
          link=absolute_url("accounts.reset_password", token=reset_token(user)))
    session.commit()


def user_for_reset(session: Session, token: str) -> User | None:
    """The account a reset link is for, or None when it is forged, expired or used."""
    payload = tokens.read(_RESET, token, RESET_MAX_AGE)
    if payload is None or not isinstance(payload.get("u"), int):
        return None
    user = session.get(User, payload["u"])
    if user is None or payload.get("p") != _password_fingerprint(user):
        return None
    return user


def reset_password(session: Session, user: User, new_password: str) -> None:
    """Set the new password, sign out every browser and, since the link reached the
    owner's inbox, count the address as verified; commits."""
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    session.commit()


def send_verification(session: Session, user: User) -> None:
    """Email a link confirming the account's current address; commits."""
    site = current_app.config["SITE_NAME"]
    token = tokens.make(_VERIFY, {"u": user.id, "e": user.email_key})
    queue(session, user.email, f"Confirm your email address for {site}", "verify_email.txt",
          user=user, site=site, days=VERIFY_MAX_AGE // 86400,
          link=absolute_url("accounts.verify_email", token=token))
    session.commit()


def verify(session: Session, token: str) -> User | None:
    """Mark the address verified; the account, or None for a bad, expired or
    out-of-date link (the address has changed since). Commits."""
    payload = tokens.read(_VERIFY, token, VERIFY_MAX_AGE)
    if payload is None or not isinstance(payload.get("u"), int):
        return None
    user = session.get(User, payload["u"])
    if user is None or payload.get("e") != user.email_key:
        return None
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        session.commit()
    return user
