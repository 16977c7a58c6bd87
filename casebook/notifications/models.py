from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from casebook.db import Base, UTCDateTime, utcnow

# What a notification is about; the text is written when it is made, in the
# words (and pseudonyms) its recipient may see.
REPLY, POST_HIDDEN, POST_APPROVED, POST_REJECTED, POST_RESTORED = (
    "reply", "post_hidden", "post_approved", "post_rejected", "post_restored",
)
STAGE_OPENED, OPENING_SOON, CLOSING_SOON, REPORT = (
    "stage_opened", "opening_soon", "closing_soon", "report",
)

# How a member is emailed about notifications.
IMMEDIATELY, DAILY, OFF = "immediately", "daily", "off"
EMAIL_CHOICES = {
    IMMEDIATELY: "Immediately: one email for each notification",
    DAILY: "Once a day: one email with the day's unread notifications",
    OFF: "Never: notifications only appear here on the site",
}


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), default=None)
    discussion_id: Mapped[int | None] = mapped_column(
        ForeignKey("discussions.id", ondelete="CASCADE"), default=None)
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), default=None)
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), default=None)
    text: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # When an email (immediate or digest) carried it; never emailed twice.
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
