from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casebook.accounts.models import User
from casebook.db import Base, UTCDateTime, utcnow

BEFORE, AFTER = "before", "after"
PHASES = (BEFORE, AFTER)
# The five-point scale, stored as 1..5 so a shift is a difference of numbers.
SCALE = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}
REASON_LENGTH = 200


class PollAnswer(Base):
    """One participant's answer to one of the case's positions, before or after
    the discussion. The group sees only counts; see ``casebook.polls.service``."""

    __tablename__ = "poll_answers"
    __table_args__ = (
        UniqueConstraint("discussion_id", "user_id", "phase", "position_id"),
        # Distributions count a discussion's answers of one phase.
        Index("ix_poll_answers_discussion_phase", "discussion_id", "phase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(
        ForeignKey("discussions.id", ondelete="CASCADE"))
    position_id: Mapped[int] = mapped_column(ForeignKey("positions.id", ondelete="CASCADE"))
    # An account deleted takes its answers with it: a reason is the member's own words.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    phase: Mapped[str] = mapped_column(String(10))
    value: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(REASON_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
