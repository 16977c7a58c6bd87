"""Word search over members' posts and the case library, on SQLite FTS5 or
PostgreSQL full-text search (``index``), within what each viewer may see (``service``)."""
