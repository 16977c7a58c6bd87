from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from casebook.db import Base, UTCDateTime, utcnow


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    # Case-folded copy that carries the uniqueness rule, so "Ann@X.org" and
    # "ann@x.org" are one account on SQLite and PostgreSQL alike.
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    # Part of the session identity: bumping it (password change) signs out
    # every other browser, remembered ones included.
    session_version: Mapped[int] = mapped_column(default=1)
    # IANA zone the pages show times in; times are stored in UTC.
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the owner last followed a verification link sent to ``email``;
    # cleared when the address changes.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # "immediately", "daily" or "off" (casebook.notifications.models.EMAIL_CHOICES);
    # None follows each group's default.
    email_notifications: Mapped[str | None] = mapped_column(String(12), default=None)

    # Unread notifications, filled in by the user loader for the header badge.
    unread_notifications = 0

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"
