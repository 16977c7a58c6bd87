from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casebook.db import Base, UTCDateTime, utcnow

STAGES = ("understand", "stakeholders", "lenses", "decide", "reflect")
STAGE_TITLES = {
    "understand": "Understand the case",
    "stakeholders": "Stakeholders",
    "lenses": "Ethical lenses",
    "decide": "Decide",
    "reflect": "Reflect",
}
LENSES = {
    "consequences": "Consequences",
    "rights": "Rights and duties",
    "justice": "Justice and fairness",
    "virtue": "Virtue",
    "care": "Care",
    "common-good": "Common good",
    "code-of-ethics": "College of Policing Code of Ethics",
    "ndm": "National Decision Model",
}


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # A slug names a case within its owner: the library, or one group.
        UniqueConstraint("group_id", "slug"),
        # NULLs never collide in a unique constraint, so the library's slugs
        # need their own index.
        Index("uq_cases_library_slug", "slug", unique=True,
              sqlite_where=text("group_id IS NULL"),
              postgresql_where=text("group_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80))
    # The group that wrote it (private to that group); None for library cases.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    content_note: Mapped[str] = mapped_column(Text)
    reading_minutes: Mapped[int] = mapped_column(Integer)
    sources: Mapped[list] = mapped_column(JSON)
    stakeholders: Mapped[list] = mapped_column(JSON)
    lenses: Mapped[list] = mapped_column(JSON)
    body_md: Mapped[str] = mapped_column(Text)
    # Rendered once at import so a page view never runs Markdown.
    body_html: Mapped[str] = mapped_column(Text)
    # Plain-text copy of title, summary, themes and body, lower-cased, for
    # word search that behaves the same on SQLite and PostgreSQL.
    search_text: Mapped[str] = mapped_column(Text)
    source_digest: Mapped[str] = mapped_column(String(64))
    # Facilitator-only notes from the case file (loader._teaching_notes); never
    # shown to participants, never exported.
    teaching_notes: Mapped[dict | None] = mapped_column(JSON)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    themes: Mapped[list["CaseTheme"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseTheme.theme"
    )
    prompts: Mapped[list["Prompt"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Prompt.position"
    )
    positions: Mapped[list["Position"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Position.position"
    )

    @property
    def theme_names(self) -> list[str]:
        return [t.theme for t in self.themes]

    def current_prompts_by_stage(self) -> list[tuple[str, list["Prompt"]]]:
        grouped = {stage: [] for stage in STAGES}
        for prompt in self.prompts:
            if not prompt.retired:
                grouped[prompt.stage].append(prompt)
        return [(stage, grouped[stage]) for stage in STAGES if grouped[stage]]


class CaseTheme(Base):
    __tablename__ = "case_themes"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)

    case: Mapped[Case] = relationship(back_populates="themes")


class Prompt(Base):
    """A structured question; its ``key`` is the author's stable id from the file.

    Discussions attach to prompts, so a prompt that disappears from the file
    is retired, not deleted.
    """

    __tablename__ = "prompts"
    __table_args__ = (UniqueConstraint("case_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    lens: Mapped[str | None] = mapped_column(String(30))
    text_md: Mapped[str] = mapped_column(Text)
    text_html: Mapped[str] = mapped_column(Text)
    retired: Mapped[bool] = mapped_column(default=False)

    case: Mapped[Case] = relationship(back_populates="prompts")

    @property
    def lens_title(self) -> str | None:
        return LENSES.get(self.lens) if self.lens else None


class Position(Base):
    """A contestable statement for the before/after poll."""

    __tablename__ = "positions"
    __table_args__ = (UniqueConstraint("case_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    retired: Mapped[bool] = mapped_column(default=False)

    case: Mapped[Case] = relationship(back_populates="positions")
