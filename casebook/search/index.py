"""The full-text index of posts and cases, on either engine.

Both tables keep a ``search_text`` column, the normalised words of what a reader
sees (``casebook.search.text``). It is written in one place for posts (the
``body_html`` event below, and ``post_text`` for the few bulk writes) and by
the case import for cases. Each engine indexes that one column itself, so no
write path knows which engine it runs on:

- SQLite: an FTS5 table per searched table (``posts_fts``, ``cases_fts``) with
  that table as its external content, kept in step by triggers, which also
  fire for rows deleted by a cascade (a deleted group takes its posts along).
- PostgreSQL: a GIN index on ``to_tsvector('simple', search_text)``; the
  'simple' configuration neither stems nor drops words, as FTS5 here does not.

Migration 0012 creates both. ``matching`` is the one query condition.
"""

from sqlalchemy import ColumnElement, column, event, func, literal_column, select, table

from casebook.discussion.models import Post
from casebook.search.text import post_text

# What the migration makes outside the models, for schema comparisons to skip.
FTS_TABLES = ("posts_fts", "cases_fts")
PG_INDEXES = ("ix_posts_search", "ix_cases_search")
_CONFIG = literal_column("'simple'")


def include_name(name: str | None, _type, _parents) -> bool:
    """Alembic's ``include_name``: leaves out of schema comparisons the tables and
    indexes the migration made for the index (FTS5 keeps its data in shadow
    tables named after its table)."""
    if not name:
        return True
    return not (name in PG_INDEXES
                or any(name == t or name.startswith(t + "_") for t in FTS_TABLES))


@event.listens_for(Post.body_html, "set")
def _index_post(target: Post, value, _old, _initiator) -> None:
    target.search_text = post_text(value or "")


def matching(dialect: str, model, wanted: list[str]) -> ColumnElement[bool]:
    """Rows of ``model`` (Post or Case) whose text holds every word of ``wanted``
    (``text.terms``: letters and digits only). Each word is passed as data,
    quoted for FTS5 and through ``plainto_tsquery`` on PostgreSQL, so nothing a
    member types is read as query syntax."""
    if dialect == "postgresql":
        return func.to_tsvector(_CONFIG, model.search_text).op("@@")(
            func.plainto_tsquery(_CONFIG, " ".join(wanted)))
    fts = table(f"{model.__tablename__}_fts", column("rowid"), column("search_text"))
    phrase = " ".join('"' + word.replace('"', '""') + '"' for word in wanted)
    return model.id.in_(select(fts.c.rowid).where(fts.c.search_text.op("MATCH")(phrase)))
