"""Fixtures: a fresh database per run, emptied between tests, on SQLite or PostgreSQL.

Set CASEBOOK_TEST_DATABASE_URL to a PostgreSQL server to run the suite there:
the run creates its own database on that server and drops it at the end.
CASEBOOK_REQUIRE_POSTGRES=1 (set by .ci/run) turns an unreachable server
into a failure instead of a skip.
"""

import os
import re
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from casebook import create_app, migrate
from casebook.accounts.service import set_hash_cost
from casebook.db import Base, make_engine
from casebook.extensions import limiter

# The rules under test don't depend on the hashing cost; the default argon2id
# cost would make account-heavy tests take minutes.
set_hash_cost(time_cost=1, memory_cost=1024)

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CASES_DIR = ROOT / "cases"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    server = os.environ.get("CASEBOOK_TEST_DATABASE_URL")
    if not server:
        path = tmp_path_factory.mktemp("db") / "casebook-test.sqlite3"
        url = f"sqlite:///{path}"
        migrate.upgrade(make_engine(url))
        yield url
        return

    server_url = make_url(server).set(drivername="postgresql+psycopg")
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"casebook_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        reason = f"PostgreSQL at {server_url.render_as_string()} is unreachable: {exc.orig}"
        if _flag("CASEBOOK_REQUIRE_POSTGRES"):
            pytest.fail(reason)
        pytest.skip(reason)
    url = server_url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def tmp_instance(tmp_path_factory):
    path = tmp_path_factory.mktemp("instance")
    os.environ["CASEBOOK_INSTANCE_PATH"] = str(path)
    return path


def make_test_app(database_url, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "CASES_DIR": str(CASES_DIR),
        # Suites that write hundreds of posts would meet these limits;
        # tests/test_abuse_limits.py sets small ones and checks the defaults.
        "POST_RATE_LIMIT": "10000 per minute",
        "REPORT_RATE_LIMIT": "10000 per minute",
        "EXPORT_RATE_LIMIT": "10000 per minute",
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app(database_url, tmp_instance):
    app = make_test_app(database_url)
    yield app
    _empty_database(app.extensions["casebook.engine"])
    app.extensions["casebook.engine"].dispose()
    limiter.reset()


def _empty_database(engine) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@contextmanager
def db(app):
    """``with db(app) as session:`` a plain database session, for setup and checks.

    It is tied to no app context on purpose: a test must not hold one while the
    test client makes requests, or Flask reuses it, and with it ``g`` (the
    signed-in user, the database session), across them. Each ``db`` starts
    afresh, so it reads what the requests before it committed.
    """
    with app.extensions["casebook.sessionmaker"]() as session:
        yield session


@pytest.fixture
def session(app):
    """One plain session (see ``db``) for the whole test. It keeps what it loaded:
    commit and ``expire_all()`` it to read what requests changed since."""
    with db(app) as session:
        yield session


@pytest.fixture
def cases(app):
    """The repository's case library, imported."""
    from casebook.cases.loader import load_directory
    from casebook.cases.service import import_cases

    with db(app) as session:
        import_cases(session, load_directory(CASES_DIR))


@contextmanager
def count_queries(engine):
    """Collects the SQL statements run on ``engine`` inside the block."""
    statements: list[str] = []

    def _record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _record)


_TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _TOKEN_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


# A page anyone can open, signed in or not: for a CSRF token when the page
# that holds the form does not matter to the test.
ANY_PAGE = "/account/sign-in"


def csrf_token(client, page_url: str = ANY_PAGE) -> str:
    """The client's CSRF token, as ``page_url`` gives it."""
    return csrf_from(client.get(page_url).get_data(as_text=True))


def post_form(client, page_url: str, action_url: str, data: dict | None = None, **kwargs):
    """Load a page as a browser would, then submit its form with the page's CSRF token."""
    token = csrf_token(client, page_url)
    return client.post(action_url, data={"csrf_token": token, **(data or {})}, **kwargs)


def signed_in(app, user):
    """A new test client signed in as ``user`` (signed out when None).

    Straight into the session cookie: the sign-in form has its own tests, and
    many sign-ins would meet its rate limit.
    """
    client = app.test_client()
    if user is not None:
        with client.session_transaction() as flask_session:
            flask_session["_user_id"] = user.get_id()
            flask_session["_fresh"] = True
    return client


@pytest.fixture
def client_for(app):
    """``client_for(user)``: a client signed in as ``user``, the same one (and
    cookie jar) each time in a test; ``client_for(None)``: a new signed-out one."""
    clients = {}

    def _client(user):
        if user is None:
            return app.test_client()
        if user.id not in clients:
            clients[user.id] = signed_in(app, user)
        return clients[user.id]

    return _client


def register(client, email="ann@example.org", name="Ann Example", password="correct horse 1"):
    return post_form(client, "/account/register", "/account/register", {
        "display_name": name, "email": email, "password": password, "confirm": password,
    })


def sign_in(client, email="ann@example.org", password="correct horse 1", **extra):
    return post_form(client, "/account/sign-in", "/account/sign-in",
                     {"email": email, "password": password, **extra})


def sign_out(client):
    return post_form(client, "/", "/account/sign-out", {})


@pytest.fixture(scope="session")
def smtp_server():
    """A local SMTP server for the whole run; use ``smtp`` in tests."""
    from tests.smtp_server import SmtpServer

    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server):
    """The local SMTP server, emptied for this test."""
    smtp_server.clear()
    yield smtp_server
    smtp_server.clear()


@pytest.fixture
def mail_app(database_url, tmp_instance, smtp):
    """Like ``app``, sending mail through the local SMTP server ``smtp``."""
    from tests.smtp_server import smtp_config

    app = make_test_app(database_url, **smtp_config(smtp))
    yield app
    _empty_database(app.extensions["casebook.engine"])
    app.extensions["casebook.engine"].dispose()
    limiter.reset()
