from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, relationship

from casebook.accounts.models import User
from casebook.db import Base, UTCDateTime, utcnow
from casebook.discussion.models import Post

REPORT_REASONS = {
    "identifies": "Identifies a real person",
    "harassment": "Harassment",
    "graphic": "Graphic detail",
    "off-topic": "Off-topic",
    "other": "Other",
}
WATCH_ACTIONS = {
    "block": "Block: refuse the post",
    "hold": "Hold for approval",
    "flag": "Flag for moderators",
}


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("post_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    post: Mapped[Post] = relationship()
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])

    @property
    def reason_title(self) -> str:
        return REPORT_REASONS.get(self.reason, self.reason)


class WatchedWord(Base):
    """A word or phrase a group keeps out of its discussions (e.g. a real name)."""

    __tablename__ = "watched_words"
    __table_args__ = (UniqueConstraint("group_id", "phrase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    phrase: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModerationAction(Base):
    """One entry of a group's moderation log. Append-only: never updated or deleted."""

    __tablename__ = "moderation_actions"
    __table_args__ = (Index("ix_moderation_actions_group_created", "group_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    target_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    target_user: Mapped[User | None] = relationship(foreign_keys=[target_user_id])


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a moderation log entry."""


@event.listens_for(ModerationAction, "before_update")
def _refuse_update(_mapper, _connection, target: ModerationAction) -> None:
    raise AppendOnlyError(f"The moderation log is append-only (entry {target.id}).")


@event.listens_for(ModerationAction, "before_delete")
def _refuse_delete(_mapper, _connection, target: ModerationAction) -> None:
    raise AppendOnlyError(f"The moderation log is append-only (entry {target.id}).")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state: ORMExecuteState) -> None:
    # ORM-enabled update()/delete() statements skip the per-object hooks above.
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ is ModerationAction:
        raise AppendOnlyError("The moderation log is append-only.")
