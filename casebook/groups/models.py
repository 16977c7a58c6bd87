from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casebook.accounts.models import User
from casebook.db import Base, UTCDateTime, utcnow

GROUP_KINDS = {
    "seminar": "Seminar",
    "police": "Police training",
    "reading": "Reading group",
}
FACILITATOR, MODERATOR, PARTICIPANT = "facilitator", "moderator", "participant"
ROLES = {FACILITATOR: "Facilitator", MODERATOR: "Moderator", PARTICIPANT: "Participant"}
# Membership rows are kept when someone leaves or is removed, so their
# pseudonym stays the same if they come back and a removal can be enforced.
ACTIVE, LEFT, REMOVED = "active", "left", "removed"
PREMODERATION = {
    "off": "Off",
    "first": "For a member's first posts",
    "all": "For all posts",
}
# What happens to a member's posts in this group when they delete their account.
KEEP_POSTS, REMOVE_POSTS = "keep", "remove"
DELETED_MEMBER_POSTS = {
    KEEP_POSTS: "Keep them, credited to “Deleted member”",
    REMOVE_POSTS: "Remove them (the thread shows “Post removed” in their place)",
}

# A preset fills a new group's settings and the defaults its discussions start
# with; every value stays editable afterwards. "custom" changes nothing.
CUSTOM = "custom"


@dataclass(frozen=True)
class Preset:
    title: str
    description: str
    kind: str
    premoderation: str = "off"
    identity: str = "named"
    release: str = "all"
    post_first: bool = False
    post_first_stage: str | None = None  # None: every prompt
    # Keep the National Decision Model and Code of Ethics prompts ticked when
    # starting a discussion; other groups start with them left out.
    police_prompts: bool = False


PRESETS = {
    "seminar": Preset(
        "University seminar",
        "Named members, stages opened one at a time, post first on the Decide stage "
        "(answer before reading others' decisions).", kind="seminar", release="staged",
        post_first=True, post_first_stage="decide"),
    "police": Preset(
        "Police training",
        "Pseudonymous members, each member's first posts wait for a moderator, stages opened "
        "one at a time, post first, National Decision Model and Code of Ethics prompts kept.",
        kind="police", premoderation="first", identity="pseudonymous", release="staged",
        post_first=True, police_prompts=True),
    "reading": Preset(
        "Reading group",
        "Named members, all stages open from the start, everyone sees all answers.",
        kind="reading"),
}


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description_md: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))
    # One secret serves as the short code and in the invite link; None means
    # joining is switched off.
    join_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    join_code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requires_approval: Mapped[bool] = mapped_column(default=False)
    premoderation: Mapped[str] = mapped_column(String(10), default="off")
    premoderation_first_n: Mapped[int] = mapped_column(Integer, default=3)
    next_pseudonym: Mapped[int] = mapped_column(Integer, default=1)
    deleted_member_posts: Mapped[str] = mapped_column(
        String(10), default=KEEP_POSTS, server_default=KEEP_POSTS
    )
    # Defaults for new discussions (a preset fills them; facilitators change them).
    default_identity: Mapped[str] = mapped_column(String(20), default="named",
                                                  server_default="named")
    default_release: Mapped[str] = mapped_column(String(10), default="all", server_default="all")
    default_post_first: Mapped[bool] = mapped_column(default=False, server_default=false())
    default_post_first_stage: Mapped[str | None] = mapped_column(String(20))
    default_police_prompts: Mapped[bool] = mapped_column(default=True, server_default=true())
    # How members who chose nothing are emailed about notifications from this group.
    email_default: Mapped[str] = mapped_column(String(12), default="daily",
                                               server_default="daily")
    # Set while the group is archived: everyone may read, nobody may change anything.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="group", cascade="all, delete-orphan"
    )

    @property
    def kind_title(self) -> str:
        return GROUP_KINDS.get(self.kind, self.kind)

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("group_id", "user_id"),
        UniqueConstraint("group_id", "pseudonym_number"),
        # A group's active members (members page, group page counts).
        Index("ix_memberships_group_status", "group_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default=PARTICIPANT)
    status: Mapped[str] = mapped_column(String(10), default=ACTIVE)
    # Stable per group: peers in a pseudonymous discussion see "Participant 7".
    pseudonym_number: Mapped[int] = mapped_column(Integer)
    muted_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[Group] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE

    @property
    def pseudonym(self) -> str:
        return f"Participant {self.pseudonym_number}"

    @property
    def role_title(self) -> str:
        return ROLES[self.role]

    def is_muted(self, now: datetime) -> bool:
        return self.muted_until is not None and self.muted_until > now


class JoinRequest(Base):
    __tablename__ = "join_requests"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
