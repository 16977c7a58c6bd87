"""Imports every area's models so Alembic and the tests see the whole schema."""

from casebook.accounts.models import User
from casebook.cases.models import Case, CaseTheme, Position, Prompt
from casebook.db import Base
from casebook.discussion.models import (
    ContentNoteAck,
    Discussion,
    DiscussionStage,
    Post,
    PostRevision,
    Thread,
    ThreadRead,
)
from casebook.groups.models import Group, JoinRequest, Membership
from casebook.mail.models import OutboxMessage
from casebook.moderation.models import ModerationAction, Report, WatchedWord
from casebook.notifications.models import Notification

metadata = Base.metadata

__all__ = [
    "Case", "CaseTheme", "ContentNoteAck", "Discussion", "DiscussionStage", "Group",
    "JoinRequest", "Membership", "ModerationAction", "Notification", "OutboxMessage",
    "Position", "Post", "PostRevision", "Prompt", "Report", "Thread", "ThreadRead", "User",
    "WatchedWord", "metadata",
]
