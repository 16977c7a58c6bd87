"""Two app servers on one PostgreSQL and one Redis behave as one site.

Two gunicorn processes on loopback ports share a fresh database, a Redis key
prefix and the secret key, and nothing else: a session made on one is valid
on the other, a post made on one shows on the other at once, an edit made on
one shows on the other (no cache in process memory keeps the old text), and a
rate limit spent on one is spent on both.

Skipped unless CASEBOOK_TEST_DATABASE_URL is PostgreSQL and Redis answers;
in CI's PostgreSQL pass CASEBOOK_REQUIRE_POSTGRES=1 / CASEBOOK_REQUIRE_REDIS=1
make an unreachable server a failure instead.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from casebook import migrate
from tests.conftest import CASES_DIR, ROOT, _flag, csrf_from, db, make_test_app
from tests.factories import PASSWORD, seminar

REDIS_URL = os.environ.get("CASEBOOK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
GUNICORN = os.path.join(os.path.dirname(sys.executable), "gunicorn")


def _skip_or_fail(reason: str, flag: str):
    if _flag(flag):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def redis_prefix():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        _skip_or_fail(f"Redis at {REDIS_URL} is unreachable: {exc}", "CASEBOOK_REQUIRE_REDIS")
    prefix = f"casebook-two-{uuid.uuid4().hex[:8]}"
    yield prefix
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def fresh_postgres():
    server = os.environ.get("CASEBOOK_TEST_DATABASE_URL", "")
    if not server.startswith("postgresql"):
        # The SQLite pass of .ci/run; the PostgreSQL pass runs it.
        pytest.skip("two app servers need PostgreSQL: set CASEBOOK_TEST_DATABASE_URL")
    server_url = make_url(server).set(drivername="postgresql+psycopg")
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"casebook_two_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        _skip_or_fail(f"PostgreSQL is unreachable: {exc.orig}", "CASEBOOK_REQUIRE_POSTGRES")
    url = server_url.set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(base: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"gunicorn at {base} exited:\n{log.read()}")
        try:
            # Our own loopback http URL, not one read from input.
            with urllib.request.urlopen(base + "/", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn at {base} did not start within 30 s")


@pytest.fixture
def two_servers(fresh_postgres, redis_prefix, tmp_path):
    migrate.upgrade(create_engine(fresh_postgres))
    setup = make_test_app(fresh_postgres)
    from casebook.cases.loader import load_directory
    from casebook.cases.service import import_cases

    with db(setup) as session:
        import_cases(session, load_directory(CASES_DIR))
        world = seminar(session)
    setup.extensions["casebook.engine"].dispose()

    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CASEBOOK_DATABASE_URL": fresh_postgres,
        "CASEBOOK_REDIS_URL": REDIS_URL,
        "CASEBOOK_REDIS_KEY_PREFIX": redis_prefix,
        "CASEBOOK_SECRET_KEY": uuid.uuid4().hex,
        "CASEBOOK_INSTANCE_PATH": str(tmp_path / "instance"),
        "CASEBOOK_POST_RATE_LIMIT": "3 per minute",
    }
    processes, bases = [], []
    for name in ("a", "b"):
        port = _free_port()
        log = open(tmp_path / f"{name}.log", "w+")  # noqa: SIM115 - closed below
        process = subprocess.Popen(
            [GUNICORN, "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2",
             "--control-socket", str(tmp_path / f"{name}.ctl"), "casebook:create_app()"],
            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        processes.append((process, log))
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base, (process, log) in zip(bases, processes, strict=True):
            _wait_until_serving(base, process, log)
        yield world, bases
    finally:
        for process, log in processes:
            process.terminate()
            process.wait(timeout=20)
            log.close()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


class Browser:
    """One person's cookie jar; cookies for 127.0.0.1 go to either port, as a
    load balancer's single address would send them to any app server."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirects())

    def request(self, url: str, data: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, body, timeout=15) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, dict(answer.headers), answer.read().decode()


def test_two_app_servers_behave_as_one_site(two_servers):
    world, (a, b) = two_servers
    ann = Browser()

    status, _, page = ann.request(a + "/account/sign-in")
    assert status == 200
    status, headers, _ = ann.request(a + "/account/sign-in", {
        "csrf_token": csrf_from(page), "email": world.ann.email, "password": PASSWORD})
    assert status == 302, "signing in on A failed"

    # The session cookie A set is valid on B.
    status, _, groups_page = ann.request(b + "/groups/")
    assert status == 200 and "Ethics seminar" in groups_page

    # A post made on A (with a form B served) is on B's page at once.
    thread = f"/groups/{world.gid}/threads/{world.thread.id}"
    _, _, thread_page = ann.request(b + thread)
    status, headers, _ = ann.request(a + thread + "/posts", {
        "csrf_token": csrf_from(thread_page), "body": "Written on server A.",
        "submission_key": uuid.uuid4().hex, "submit": "Post"})
    assert status == 302
    post_id = re.search(r"#post-(\d+)", headers["Location"]).group(1)
    _, _, on_b = ann.request(b + thread)
    assert "Written on server A." in on_b

    # An edit on B shows on A: no process keeps the old text.
    edit = f"/groups/{world.gid}/posts/{post_id}/edit"
    _, _, edit_page = ann.request(b + edit)
    status, _, _ = ann.request(b + edit, {
        "csrf_token": csrf_from(edit_page), "body": "Edited on server B.",
        "submit": "Save changes"})
    assert status == 302
    _, _, on_a = ann.request(a + thread)
    assert "Edited on server B." in on_a and "Written on server A." not in on_a

    # Three posts a minute in all: one on A and one edit on B were two; one
    # more on A spends the budget, so B refuses the next.
    status, _, _ = ann.request(a + thread + "/posts", {
        "csrf_token": csrf_from(thread_page), "body": "Third on A.",
        "submission_key": uuid.uuid4().hex, "submit": "Post"})
    assert status == 302
    status, headers, refused = ann.request(b + thread + "/posts", {
        "csrf_token": csrf_from(thread_page), "body": "Fourth on B.",
        "submission_key": uuid.uuid4().hex, "submit": "Post"})
    assert status == 429 and "Too many attempts" in refused
    assert 1 <= int(headers["Retry-After"]) <= 60
    # Signing out on B ends the session on A too.
    _, _, page = ann.request(b + "/")
    assert ann.request(b + "/account/sign-out", {"csrf_token": csrf_from(page)})[0] == 302
    assert ann.request(a + "/groups/")[0] == 302
