"""What a post argues from (lenses and stakeholders of the case) and which
stakeholder a participant was given to argue from in the stakeholders stage."""

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casebook.db import Base
from casebook.discussion.models import Post

# Kinds of post tag. LENS and STAKEHOLDER are chosen by the author; ROLE is the
# stakeholder the author was assigned when writing in the stakeholders stage,
# kept on the post so a later change of roles never rewrites what it showed.
LENS, STAKEHOLDER, ROLE = "lens", "stakeholder", "role"
TAG_KINDS = (LENS, STAKEHOLDER, ROLE)
KEY_LENGTH = 80


class PostTag(Base):
    __tablename__ = "post_tags"
    # Coverage and the thread filter look posts up by tag.
    __table_args__ = (Index("ix_post_tags_kind_key", "kind", "key"),)

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"),
                                         primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)

    post: Mapped[Post] = relationship()


class StakeholderRole(Base):
    """The stakeholder a participant argues from in one discussion."""

    __tablename__ = "stakeholder_roles"

    discussion_id: Mapped[int] = mapped_column(
        ForeignKey("discussions.id", ondelete="CASCADE"), primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True, index=True)
    stakeholder: Mapped[str] = mapped_column(String(KEY_LENGTH))
