"""No acknowledged post is lost: gunicorn under concurrent posting, replying, editing,
reporting and reading, then killed with SIGKILL and restarted twenty times.

A post counts as acknowledged when the server answered its form with the redirect
to the stored post. Every acknowledged post must be stored exactly once, no user
may see a 500 or "database is locked", and after every kill ``casebook check``
must pass. Loopback only; the figures are printed at the end.
"""

import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from casebook import migrate
from casebook.cases.loader import load_directory
from casebook.cases.service import import_cases
from casebook.db import make_engine
from casebook.discussion.models import Post
from tests.conftest import CASES_DIR, ROOT, csrf_from, db, make_test_app
from tests.factories import PASSWORD, add_member, make_discussion, make_group, make_user
from tests.scratch import scratch_databases

CLIENTS = 12
USERS = 8  # fewer users than clients: some members write from two tabs at once
WORKERS, THREADS = 3, 4
STEADY_SECONDS = 6
KILL_CYCLES = 20
LOAD_BEFORE_KILL = 0.8
SECRET = "reliability-test-secret"
MARKER = re.compile(r"mk[0-9a-f]{32}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn in its own process group, so one SIGKILL takes master and workers."""

    def __init__(self, url: str, folder: Path):
        self.url, self.folder = url, folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = folder / "gunicorn.log"
        self.boot_seconds = 0.0  # time spent waiting for gunicorn to answer, all starts

    def start(self) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "CASEBOOK_DATABASE_URL": self.url,
            "CASEBOOK_SECRET_KEY": SECRET,
            "CASEBOOK_INSTANCE_PATH": str(self.folder / "instance"),
            # A dozen clients post far faster than any member; the limits have
            # their own tests, this one is about what the database keeps.
            **{f"CASEBOOK_{kind}_RATE_LIMIT": "100000 per minute"
               for kind in ("SIGNIN", "SIGNIN_ACCOUNT", "POST", "REPORT")},
        }
        env.pop("CASEBOOK_REDIS_URL", None)
        command = [
            sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(WORKERS), "--threads", str(THREADS),
            "--control-socket", str(self.folder / "gunicorn.ctl"),
            # --preload: the app is imported once, so twenty restarts fit the time
            # budget; it opens no database connection before the fork.
            "--graceful-timeout", "2", "--preload", "casebook:create_app()",
        ]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        began = time.monotonic()
        while time.monotonic() < began + 30:
            try:
                if requests.get(self.base + "/account/sign-in", timeout=10).status_code == 200:
                    self.boot_seconds += time.monotonic() - began
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise AssertionError("gunicorn did not start:\n" + self.log.read_text()[-3000:])

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Figures:
    requests: int = 0
    interrupted: int = 0
    acknowledged: dict[str, int] = field(default_factory=dict)  # marker -> post id
    errors: list[str] = field(default_factory=list)


class Client:
    """One browser tab of a member: signed in once, then posting, replying, editing,
    reporting and reading in the seminar's threads."""

    def __init__(self, base: str, email: str, gid: int, thread_ids: list[int], seed: int,
                 own: set[int]):
        self.base, self.email, self.gid, self.thread_ids = base, email, gid, thread_ids
        self.own = own  # the member's posts, from all their tabs
        self.http = requests.Session()
        # A fresh connection per request: a kept-alive one that gunicorn closes
        # just as a request goes out is reset, a race browsers retry on their own
        # and that says nothing about what the server stored.
        self.http.headers["Connection"] = "close"
        self.random = random.Random(seed)
        self.figures = Figures()
        self.mine: list[int] = []
        self.seen: list[int] = []
        self.thread_of: dict[int, int] = {}
        self.token = ""

    def sign_in(self) -> None:
        page = self.http.get(self.base + "/account/sign-in", timeout=10)
        answer = self.http.post(self.base + "/account/sign-in", timeout=10, data={
            "csrf_token": csrf_from(page.text), "email": self.email, "password": PASSWORD,
        }, allow_redirects=False)
        assert answer.status_code == 302, answer.text[:500]
        thread = self.http.get(self._thread_url(self.thread_ids[0]), timeout=10)
        self.token = csrf_from(thread.text)

    def _thread_url(self, thread_id: int) -> str:
        return f"{self.base}/groups/{self.gid}/threads/{thread_id}"

    def run(self, stop: threading.Event, expect_kill: bool) -> None:
        while not stop.is_set():
            action = self.random.choices(
                [self.post, self.reply, self.edit, self.report, self.read],
                weights=[35, 25, 15, 10, 15])[0]
            try:
                action()
            except requests.RequestException as exc:
                self.figures.interrupted += 1
                if not expect_kill:
                    self.figures.errors.append(f"{self.email}: {exc!r}")
            except Exception as exc:  # a broken client must fail the test, not stop quietly
                self.figures.errors.append(f"{self.email}: client failed: {exc!r}")
                return

    def _send(self, path: str, data: dict, ok: tuple[int, ...] = (302,)) -> requests.Response:
        self.figures.requests += 1
        answer = self.http.post(self.base + path, data={"csrf_token": self.token, **data},
                                allow_redirects=False, timeout=30)
        self._judge(path, answer, ok)
        return answer

    def _judge(self, path: str, answer: requests.Response, ok: tuple[int, ...]) -> None:
        if "database is locked" in answer.text.lower():
            self.figures.errors.append(f"{path}: 'database is locked' shown to the user")
        if answer.status_code not in ok:
            self.figures.errors.append(f"{path}: {answer.status_code} {answer.text[:200]!r}")

    def _acknowledge(self, marker: str, answer: requests.Response) -> None:
        found = re.search(r"/threads/(\d+)\?.*#post-(\d+)$", answer.headers.get("Location", ""))
        if answer.status_code == 302 and not found:
            self.figures.errors.append(f"post answered with a redirect to "
                                       f"{answer.headers.get('Location')!r}, not to the post")
        if answer.status_code == 302 and found:
            thread_id, post_id = int(found.group(1)), int(found.group(2))
            self.figures.acknowledged[marker] = post_id
            self.thread_of[post_id] = thread_id
            self.mine.append(post_id)
            self.own.add(post_id)
            self.seen.append(post_id)

    def post(self, reply_to: tuple[int, int] | None = None) -> None:
        marker = f"mk{uuid.uuid4().hex}"
        thread_id = self.random.choice(self.thread_ids)
        data = {"body": f"My answer {marker}: the police should **wait**.",
                "submission_key": uuid.uuid4().hex, "submit": "Post"}
        if reply_to is not None:
            thread_id, data["reply_to"] = reply_to
        answer = self._send(f"/groups/{self.gid}/threads/{thread_id}/posts", data)
        self._acknowledge(marker, answer)

    def reply(self) -> None:
        if not self.seen:
            return self.post()
        target = self.random.choice(self.seen)
        return self.post(reply_to=(self.thread_of[target], target))

    def edit(self) -> None:
        if not self.mine:
            return self.post()
        post_id = self.random.choice(self.mine)
        marker = next(m for m, p in self.figures.acknowledged.items() if p == post_id)
        self._send(f"/groups/{self.gid}/posts/{post_id}/edit",
                   {"body": f"Edited {marker} at {time.time()}", "submit": "Save changes"})

    def report(self) -> None:
        others = [post_id for post_id in self.seen if post_id not in self.own]
        if not others:
            return self.read()
        # A second report of the same post is answered 409 "you reported this".
        self._send(f"/groups/{self.gid}/posts/{self.random.choice(others)}/report",
                   {"reason": "other", "detail": "Please look."}, ok=(302, 409))

    def read(self) -> None:
        thread_id = self.random.choice(self.thread_ids)
        self.figures.requests += 1
        answer = self.http.get(self._thread_url(thread_id), timeout=30)
        self._judge(f"GET thread {thread_id}", answer, (200,))
        shown = [int(n) for n in re.findall(r'<article [^>]*id="post-(\d+)"', answer.text)]
        self.thread_of.update(dict.fromkeys(shown, thread_id))
        self.seen = (self.seen + shown[-20:])[-200:]


@pytest.fixture
def database_urls(tmp_path, tmp_instance, database_url):
    with scratch_databases(tmp_path) as new:
        yield new


def seminar(url: str, folder: Path):
    """A group with USERS participants and a discussion, built in-process."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = make_test_app(url)
    with db(app) as session:
        import_cases(session, load_directory(CASES_DIR))
        fac = make_user(session, "Fay Facilitator")
        group = make_group(session, fac)
        emails = [fac.email]
        for n in range(1, USERS):
            member = make_user(session, f"Member {n}")
            add_member(session, group, member)
            emails.append(member.email)
        discussion = make_discussion(session, group, fac)
        thread_ids = [thread.id for thread in discussion.threads[:2]]
        gid = group.id
    app.extensions["casebook.engine"].dispose()
    return app, gid, thread_ids, emails


def stored_markers(app) -> Counter:
    with db(app) as session:
        bodies = session.scalars(select(Post.body_md)).all()
    return Counter(marker for body in bodies for marker in set(MARKER.findall(body)))


def load(clients: list[Client], seconds: float, server: Server | None = None) -> None:
    """Run every client for ``seconds``; with ``server``, SIGKILL it while they run."""
    stop = threading.Event()
    runners = [threading.Thread(target=c.run, args=(stop, server is not None)) for c in clients]
    for runner in runners:
        runner.start()
    time.sleep(seconds)
    if server is not None:
        server.kill()
    stop.set()
    for runner in runners:
        runner.join(timeout=60)


def lost_and_doubled(app, clients: list[Client]) -> tuple[list[str], list[str]]:
    stored = stored_markers(app)
    acknowledged = [m for c in clients for m in c.figures.acknowledged]
    return ([m for m in acknowledged if stored[m] == 0],
            [m for m in acknowledged if stored[m] > 1])


@pytest.mark.reliability
def test_no_acknowledged_post_is_lost_under_load_or_kills(database_urls, tmp_path, capsys):
    url = database_urls("reliability")
    app, gid, thread_ids, emails = seminar(url, tmp_path)
    server = Server(url, tmp_path)
    started = time.monotonic()
    try:
        server.start()
        own: dict[str, set[int]] = {email: set() for email in emails}
        clients = [Client(server.base, emails[n % USERS], gid, thread_ids, seed=n,
                          own=own[emails[n % USERS]]) for n in range(CLIENTS)]
        for client in clients:
            client.sign_in()

        load(clients, STEADY_SECONDS)
        server.stop()
        steady = [sum(len(c.figures.acknowledged) for c in clients),
                  sum(c.figures.requests for c in clients)]
        errors = [e for c in clients for e in c.figures.errors]
        lost, doubled = lost_and_doubled(app, clients)
        assert errors == [], errors[:10]
        assert (lost, doubled) == ([], [])
        assert steady[0] > CLIENTS, "the load made almost no posts"

        for cycle in range(1, KILL_CYCLES + 1):
            server.start()
            load(clients, LOAD_BEFORE_KILL, server=server)
            result = app.test_cli_runner().invoke(args=["check"])
            assert result.exit_code == 0, f"cycle {cycle}: {result.output}"
            lost, doubled = lost_and_doubled(app, clients)
            assert lost == [], f"cycle {cycle}: {len(lost)} acknowledged posts lost"
            assert doubled == [], f"cycle {cycle}: {len(doubled)} posts stored twice"
    finally:
        server.stop()

    errors = [e for c in clients for e in c.figures.errors]
    stored = stored_markers(app)
    acknowledged = sum(len(c.figures.acknowledged) for c in clients)
    with capsys.disabled():
        print(f"\n[{app.extensions['casebook.engine'].dialect.name}] clients={CLIENTS} "
              f"workers={WORKERS}x{THREADS} requests={sum(c.figures.requests for c in clients)} "
              f"acknowledged={acknowledged} (steady {steady[0]} of {steady[1]} requests) "
              f"stored={sum(stored.values())} lost=0 errors={len(errors)} "
              f"interrupted_by_kills={sum(c.figures.interrupted for c in clients)} "
              f"kill_cycles={KILL_CYCLES} seconds={time.monotonic() - started:.1f} "
              f"(of which starting gunicorn {server.boot_seconds:.1f})")
    assert errors == [], errors[:10]
