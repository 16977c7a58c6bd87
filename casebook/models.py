"""Imports every area's models so Alembic and the tests see the whole schema."""

from casebook.accounts.models import User
from casebook.cases.models import Case, CaseTheme, Position, Prompt
from casebook.db import Base
from casebook.debrief.models import Debrief, KeyContribution
from casebook.deliberation.models import PostTag, StakeholderRole
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
from casebook.live.models import LiveEvent, ProjectorPost
from casebook.mail.models import OutboxMessage
from casebook.moderation.models import ModerationAction, Report, WatchedWord
from casebook.notifications.models import Notification
from casebook.polls.models import PollAnswer

metadata = Base.metadata

__all__ = [
    "Case", "CaseTheme", "ContentNoteAck", "Debrief", "Discussion", "DiscussionStage",
    "Group", "JoinRequest", "KeyContribution", "LiveEvent", "Membership", "ModerationAction",
    "Notification", "OutboxMessage", "PollAnswer", "Position", "Post", "PostRevision",
    "PostTag", "ProjectorPost", "Prompt", "Report", "StakeholderRole", "Thread", "ThreadRead",
    "User", "WatchedWord", "metadata",
]
