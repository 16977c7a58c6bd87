"""Live updates under load: many open thread pages, one new post a second.

Serves Casebook with gunicorn's gevent worker (the worker type README.md gives
for /live/), opens N Server-Sent Events streams on one thread, then has
another member post through the thread page's form once a second. Each post
carries the wall-clock time it was sent; every stream notes when its copy
arrives. Prints connections held, posts delivered to every stream, and the
delivery latency p50/p99. See bench/README.md ("Live updates").
"""

import argparse
import asyncio
import json
import os
import re
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from run import ROOT, Browser, casebook_cli, child_env, free_port, say

SEED = """
import os

from casebook import create_app
from casebook.accounts import service as accounts
from casebook.cases.service import get_case
from casebook.db import get_session
from casebook.discussion import service as discussions
from casebook.groups import joining

app = create_app()
with app.app_context():
    session = get_session()
    password = os.environ["LIVE_BENCH_PASSWORD"]
    people = [accounts.register(session, email=f"{name}@bench.casebook", display_name=name,
                                password=password) for name in ("Fay", "Ann", "Ben")]
    group = joining.create_group(session, people[0], name="Live bench")
    for person in people[1:]:
        joining.add_member(session, group, person, "participant")
    discussion = discussions.create_discussion(
        session, group, get_case(session, "online-vigilantes"), people[0])
    print(group.id, discussion.threads[0].id)
"""
# The bench's own accounts, in a database it throws away.
PASSWORD = secrets.token_urlsafe(16)
_KEY_RE = re.compile(r'name="submission_key"[^>]*value="([^"]+)"')
_TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
_SENT_RE = re.compile(r"live-bench-(\d+)-(\d+\.\d+)")


class Stream:
    """One open thread page: its socket, and when each post reached it."""

    def __init__(self):
        self.arrived: dict[int, float] = {}
        self.open = False
        self.error: str | None = None


async def hold(port: int, path: str, cookie: str, stream: Stream, stop: asyncio.Event):
    writer = None
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
                      "Accept: text/event-stream\r\n\r\n").encode())
        await writer.drain()
        status = await reader.readline()
        if b" 200 " not in status:
            stream.error = status.decode(errors="replace").strip()
            return
        stream.open = True
        while not stop.is_set():
            line = await reader.readline()
            if not line:
                stream.open = False
                return
            for number, _sent in _SENT_RE.findall(line.decode(errors="replace")):
                stream.arrived.setdefault(int(number), time.time())
    except OSError as exc:
        stream.error = str(exc)
        stream.open = False
    finally:
        if writer is not None:
            writer.close()


def post_every_second(base: str, thread_path: str, count: int, sent: dict[int, float],
                      browser: Browser) -> None:
    for number in range(count):
        started = time.monotonic()
        status, page = browser.request(thread_path)
        html = page.decode()
        token, key = _TOKEN_RE.search(html).group(1), _KEY_RE.search(html).group(1)
        sent[number] = time.time()
        status, _ = browser.request(thread_path + "/posts", {
            "csrf_token": token, "submission_key": key, "submit": "Post",
            "body": f"Bench post live-bench-{number}-{sent[number]:.6f}"})
        if status != 302:
            raise RuntimeError(f"posting answered {status}")
        time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))


async def measure(port: int, gid: int, thread_id: int, connections: int, posts: int,
                  reader: Browser, writer: Browser) -> dict:
    stop = asyncio.Event()
    streams = [Stream() for _ in range(connections)]
    path = f"/live/groups/{gid}/threads/{thread_id}"
    tasks = []
    for stream in streams:
        tasks.append(asyncio.create_task(hold(port, path, reader.cookie, stream, stop)))
        await asyncio.sleep(0.002)  # gentler than a thousand connects in one instant
    deadline = time.monotonic() + 60
    while sum(s.open for s in streams) < connections and time.monotonic() < deadline:
        if sum(s.error is not None for s in streams):
            break
        await asyncio.sleep(0.5)
    opened = sum(s.open for s in streams)
    say(f"{opened} of {connections} streams open; posting {posts} posts, one a second")
    sent: dict[int, float] = {}
    await asyncio.to_thread(post_every_second, writer.base, f"/groups/{gid}/threads/{thread_id}",
                            posts, sent, writer)
    await asyncio.sleep(5)  # the last post's deliveries
    held = sum(s.open for s in streams)
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    latencies = [stream.arrived[n] - sent[n] for stream in streams for n in stream.arrived
                 if n in sent]
    expected = opened * len(sent)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return {
        "connections": connections, "opened": opened, "held_to_end": held,
        "errors": sorted({s.error for s in streams if s.error})[:3],
        "posts": len(sent), "deliveries": len(latencies), "expected": expected,
        "p50_ms": round(quantiles[49] * 1000, 1), "p99_ms": round(quantiles[98] * 1000, 1),
        "max_ms": round(max(latencies, default=0) * 1000, 1),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=60, help="one a second")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", help="default: SQLite in a temporary file")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0",
                        help="wakes every worker's streams; '' for in-process only")
    args = parser.parse_args(argv)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.connections * 2 + 100)),
                                                hard))
    with tempfile.TemporaryDirectory(prefix="casebook-live-bench-") as tmp:
        workdir = Path(tmp)
        database = args.database_url or f"sqlite:///{workdir / 'live.db'}"
        env = child_env({
            "CASEBOOK_DATABASE_URL": database, "CASEBOOK_SECRET_KEY": secrets.token_hex(16),
            "CASEBOOK_INSTANCE_PATH": str(workdir / "instance"),
            "CASEBOOK_POST_RATE_LIMIT": "1000000 per minute",
            "CASEBOOK_REDIS_KEY_PREFIX": f"live-bench-{os.getpid()}:",
        })
        seed_env = {**env, "LIVE_BENCH_PASSWORD": PASSWORD}
        if args.redis_url:
            env["CASEBOOK_REDIS_URL"] = args.redis_url
        say(f"seeding {database}")
        casebook_cli(env, "db", "upgrade")
        casebook_cli(env, "import-cases")
        seeded = subprocess.run([sys.executable, "-c", SEED], env=seed_env, check=True,
                                capture_output=True, text=True, timeout=120)
        gid, thread_id = map(int, seeded.stdout.split()[-2:])
        port = free_port()
        log = workdir / "gunicorn.log"
        server = subprocess.Popen([
            sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
            "--workers", str(args.workers), "--worker-class", "gevent",
            "--worker-connections", str(args.connections + 100), "--graceful-timeout", "5",
            "--error-logfile", str(log), "--log-level", "warning", "casebook:create_app()",
        ], env=env, cwd=ROOT)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    reader = Browser(base)
                    reader.sign_in("Ben@bench.casebook", PASSWORD)
                    break
                except OSError:
                    time.sleep(0.2)
            writer = Browser(base)
            writer.sign_in("Ann@bench.casebook", PASSWORD)
            result = asyncio.run(measure(port, gid, thread_id, args.connections, args.posts,
                                         reader, writer))
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    result.update(workers=args.workers, worker_class="gevent",
                  engine=database.split(":", 1)[0], redis=bool(args.redis_url),
                  cpus=os.cpu_count(), load_average=os.getloadavg()[0])
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    threading.current_thread().name = "live-bench"
    sys.exit(main())
