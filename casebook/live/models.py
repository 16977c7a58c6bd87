from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from casebook.db import Base, UTCDateTime, utcnow

# What happened; an event names the object, never its content, so each stream
# renders it for its own viewer through the page's visibility rules.
POST_KINDS = ("post_published", "post_held", "post_edited", "post_hidden", "post_restored",
              "post_rejected", "post_removed")
STAGE_OPENED = "stage_opened"
PROJECTOR_CHANGED = "projector_changed"
POLL_ANSWERED = "poll_answered"


class LiveEvent(Base):
    """One change an open page may show without reload; its id is the SSE event id."""

    __tablename__ = "live_events"
    # Streams read "this discussion's events after id N".
    __table_args__ = (Index("ix_live_events_discussion_id", "discussion_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"),
                                          index=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussions.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    # No foreign key: the event outlives nothing it names (a deleted post's
    # thread cascades), and the stream looks the post up anyway.
    post_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProjectorPost(Base):
    """A post a facilitator has put on the projector screen of its discussion."""

    __tablename__ = "projector_posts"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"),
                                         primary_key=True)
    discussion_id: Mapped[int] = mapped_column(
        ForeignKey("discussions.id", ondelete="CASCADE"), index=True)
    shown_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
