from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casebook.accounts.models import User
from casebook.cases.models import Case, Prompt
from casebook.db import Base, UTCDateTime, utcnow
from casebook.groups.models import Group

NAMED, PSEUDONYMOUS = "named", "pseudonymous"
IDENTITY_MODES = {NAMED: "Named", PSEUDONYMOUS: "Pseudonymous to peers"}

# Post lifecycle. Only PUBLISHED posts get a number in their thread; numbers
# never change, so a permalink always lands on the same page.
PENDING, PUBLISHED, REJECTED, HIDDEN, REMOVED = (
    "pending", "published", "rejected", "hidden", "removed",
)
# How a discussion's stages open: all at once, or one after another as the
# facilitator (or a scheduled time) opens them.
ALL_OPEN, STAGED = "all", "staged"
RELEASE_MODES = {
    ALL_OPEN: "All stages open: members may answer any prompt from the start",
    STAGED: "Stage by stage: you open each stage when the group is ready for it",
}
POSTS_PER_PAGE = 50
MAX_POST_LENGTH = 10_000


class Discussion(Base):
    """A case assigned to a group; each of the case's prompts becomes a thread."""

    __tablename__ = "discussions"
    # Every group page lists its discussions in creation order.
    __table_args__ = (Index("ix_discussions_group_created", "group_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    post_first: Mapped[bool] = mapped_column(default=False)
    # With post first on: the one stage whose prompts it applies to, or None for every prompt.
    post_first_stage: Mapped[str | None] = mapped_column(String(20))
    identity: Mapped[str] = mapped_column(String(20), default=NAMED)
    allow_member_threads: Mapped[bool] = mapped_column(default=False)
    release: Mapped[str] = mapped_column(String(10), default=ALL_OPEN, server_default=ALL_OPEN)
    # The poll counts a facilitator has put on the projector screen: None, or
    # "before" (the group's first answers) or "after" (before beside after).
    projector_poll: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    case: Mapped[Case] = relationship()
    group: Mapped[Group] = relationship()
    threads: Mapped[list["Thread"]] = relationship(
        back_populates="discussion", cascade="all, delete-orphan",
        order_by="(Thread.position, Thread.id)",
    )
    # Only staged discussions have rows; loaded lazily, so an all-open
    # discussion never pays a query for them.
    stages: Mapped[list["DiscussionStage"]] = relationship(
        back_populates="discussion", cascade="all, delete-orphan",
        order_by="DiscussionStage.position",
    )

    def state(self, now: datetime) -> str:
        """'scheduled', 'open' or 'closed' at ``now``."""
        if self.opens_at is not None and now < self.opens_at:
            return "scheduled"
        if self.closes_at is not None and now >= self.closes_at:
            return "closed"
        return "open"

    @property
    def pseudonymous(self) -> bool:
        return self.identity == PSEUDONYMOUS

    @property
    def staged(self) -> bool:
        return self.release == STAGED

    def stage_is_open(self, stage: str, now: datetime) -> bool:
        """Whether ``stage``'s prompts are open to participants at ``now``."""
        if not self.staged:
            return True
        return any(s.stage == stage and s.is_open(now) for s in self.stages)


class DiscussionStage(Base):
    """One stage of a discussion released stage by stage.

    A stage is open once the facilitator opens it or once its scheduled time
    has passed: the time is compared when read, so no job has to run then.
    """

    __tablename__ = "discussion_stages"

    discussion_id: Mapped[int] = mapped_column(
        ForeignKey("discussions.id", ondelete="CASCADE"), primary_key=True
    )
    stage: Mapped[str] = mapped_column(String(20), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    discussion: Mapped[Discussion] = relationship(back_populates="stages")

    def is_open(self, now: datetime) -> bool:
        return self.opened_at is not None or (self.opens_at is not None and self.opens_at <= now)


class Thread(Base):
    __tablename__ = "threads"
    # A discussion's threads in stage order (discussion page, prompt neighbours).
    __table_args__ = (Index("ix_threads_discussion_position", "discussion_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(
        ForeignKey("discussions.id", ondelete="CASCADE"), index=True
    )
    # Set for the threads made from the case's prompts; None for a thread a
    # member started.
    prompt_id: Mapped[int | None] = mapped_column(ForeignKey("prompts.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    locked: Mapped[bool] = mapped_column(default=False)
    pinned_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL", use_alter=True)
    )
    # Highest number given to a published post; also what "read up to" is
    # compared against for unread counts.
    last_number: Mapped[int] = mapped_column(Integer, default=0)
    last_post_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised by ``casebook.fragments`` on every write that can change what the
    # thread page shows; cached post lists are keyed by it.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    discussion: Mapped[Discussion] = relationship(back_populates="threads")
    prompt: Mapped[Prompt | None] = relationship()


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("thread_id", "number"),
        # With the number: unread and activity counts seek the few posts of a
        # thread past a number in a given status, never reading the rest.
        Index("ix_posts_thread_status_number", "thread_id", "status", "number"),
        # "Has this viewer answered here?" (post-first, unread and activity counts).
        Index("ix_posts_thread_author_status_number", "thread_id", "author_id", "status",
              "number"),
        # Activity (published, newest first) and the queue (pending, oldest first).
        Index("ix_posts_status_created", "status", "created_at", "id"),
        # Replies to a post: its deletion sets them to NULL.
        Index("ix_posts_reply_to_id", "reply_to_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    # NULL once the author deletes their account; the post then reads
    # "Deleted member".
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    # The author's role when they wrote it: a participant promoted later keeps
    # their pseudonym on what they wrote as a participant.
    author_role: Mapped[str | None] = mapped_column(String(20))
    number: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default=PUBLISHED)
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # The words of the rendered text, for full-text search; set whenever
    # body_html is (casebook.search.index), indexed by the database.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Why a moderator rejected or hid it; shown to the author.
    moderation_reason: Mapped[str | None] = mapped_column(Text)
    flagged: Mapped[bool] = mapped_column(default=False)
    # Counted at write time so participation figures need no text scan.
    word_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The form's one-time key: a double-submitted form finds its first post.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    thread: Mapped[Thread] = relationship(foreign_keys=[thread_id])
    author: Mapped[User | None] = relationship()
    reply_to: Mapped["Post | None"] = relationship(remote_side=[id])


class PostRevision(Base):
    """The text a post had before an edit; moderators can read the history."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    body_md: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ThreadRead(Base):
    """How far a member has read a thread, by post number."""

    __tablename__ = "thread_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)
    last_read_number: Mapped[int] = mapped_column(Integer, default=0)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContentNoteAck(Base):
    """A member has read the case's content note for this discussion; it is
    not shown to them again here."""

    __tablename__ = "content_note_acks"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    discussion_id: Mapped[int] = mapped_column(
        ForeignKey("discussions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
