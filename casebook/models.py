"""Imports every area's models so Alembic and the tests see the whole schema."""

from casebook.accounts.models import User
from casebook.cases.models import Case, CaseTheme, Position, Prompt
from casebook.db import Base

metadata = Base.metadata

__all__ = ["Case", "CaseTheme", "Position", "Prompt", "User", "metadata"]
