"""``make bench``: Casebook's pages under load, against a bare-Flask ceiling.

For each engine (SQLite in a temporary file; PostgreSQL in a fresh database
on the loopback server, when it answers) this migrates, imports the cases,
seeds the demo dataset, serves Casebook and the reference app with gunicorn
on 127.0.0.1, signs in as the demo participant and drives ``wrk`` at each
page in turn. See bench/README.md for how to read the table.
"""

import argparse
import http.cookiejar
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
POST_SCRIPT = BENCH_DIR / "post.lua"
ENGINES = ("sqlite", "postgresql")
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
WORKERS = 2
THREADS, CONNECTIONS = 1, 8
USER_AGENT = "casebook-bench"
SIGN_IN = ("participant@demo.casebook", "casebook-demo")
# (name, landmark, method): the order they run in; the reply goes last so
# its new posts change no page measured before it.
PAGES = (
    ("case library", "case_library", "GET"),
    ("case page", "case_page", "GET"),
    ("group, 10 members", "group_10", "GET"),
    ("group, 500 members", "group_500", "GET"),
    ("discussion", "discussion", "GET"),
    ("thread of 100, page 1", "thread_100", "GET"),
    ("thread of 1,000, page 1", "thread_1000", "GET"),
    ("thread of 5,000, page 1", "thread_5000", "GET"),
    ("thread of 5,000, last page", "thread_5000_last", "GET"),
    ("thread of 10,000, page 1", "thread_10000", "GET"),
    ("activity", "activity", "GET"),
    ("POST a reply", "reply", "POST"),
)
REFERENCE = "reference"
# Measured again after the last page: each share is of the two runs' mean, so
# a burst of other work during one of them moves the shares less, and the two
# rows show how much the machine drifted.
REFERENCE_AGAIN = "reference, at the end"
# (near, far): pages that should cost the same however much data lies behind
# the far one; the target is the far one within 15% of the near one.
PAIRS = (
    ("thread_100", "thread_1000"),
    ("thread_100", "thread_10000"),
    ("thread_5000", "thread_5000_last"),
    ("group_10", "group_500"),
)
FLAT_WITHIN = 0.15
REPLY_BODY = (
    "Coming back to this after the seminar: the point about *proportionality* "
    "still holds for me, see [the code](https://www.college.police.uk/ethics).\n\n"
    "- who decides\n- on what evidence\n- with what remedy\n\n"
    "**Prevention** first, exposure last."
)
BENCH_POST_LIMIT = "1000000 per minute"
SEED_TIMEOUT = 900
START_TIMEOUT = 30


@dataclass
class Result:
    name: str
    landmark: str
    path: str
    method: str
    bytes: int | None
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx_3xx: int
    socket_errors: int
    share_of_reference: float | None = None
    # For the reply: posts the run added to the thread, at least one per
    # completed request if every reply was stored.
    posts_created: int | None = None

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + self.socket_errors


@dataclass
class EngineRun:
    engine: str
    started_at: str
    settings: dict
    results: list[Result] = field(default_factory=list)
    rss_kib: dict = field(default_factory=dict)
    seed_seconds: float = 0.0

    def flatness(self) -> list[dict]:
        """For each measured (near, far) pair: the far page's req/s as a share of the near's."""
        by_landmark = {result.landmark: result for result in self.results}
        pairs = []
        for near, far in PAIRS:
            if near in by_landmark and far in by_landmark and by_landmark[near].rps:
                share = by_landmark[far].rps / by_landmark[near].rps
                pairs.append({"near": by_landmark[near].name, "far": by_landmark[far].name,
                              "far_share_of_near": round(share, 3),
                              "flat": share >= 1 - FLAT_WITHIN})
        return pairs


def say(message: str) -> None:
    print(message, flush=True)


# Processes -----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def child_env(extra: dict) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CASEBOOK_") or k == "CASEBOOK_CASES_DIR"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env.update(extra)
    return env


def casebook_cli(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "casebook", *args],
                   env=env, check=True, timeout=SEED_TIMEOUT)


class Server:
    """gunicorn on a free loopback port with its own control socket; stopped on exit."""

    def __init__(self, app: str, env: dict, workdir: Path, name: str,
                 pythonpath: Path | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(WORKERS), "--worker-class", "sync",
            "--control-socket", str(workdir / f"{name}.ctl"),
            "--error-logfile", str(workdir / f"{name}.log"), "--log-level", "warning",
        ]
        if pythonpath is not None:
            command += ["--pythonpath", str(pythonpath)]
        self.log = workdir / f"{name}.log"
        self.process = subprocess.Popen([*command, app], env=env)

    def wait_ready(self, path: str = "/") -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in {START_TIMEOUT} s; see {self.log}")

    def worker_rss_kib(self) -> dict[str, int]:
        """Resident memory of each worker, from /proc/<pid>/status."""
        sizes = {}
        for pid in worker_pids(self.process.pid):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
            if match:
                sizes[str(pid)] = int(match.group(1))
        return sizes

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces; the parent pid follows its ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            pids.append(int(entry.name))
    return sorted(pids)


# Signing in -----------------------------------------------------------------------

_TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


class Browser:
    """Cookies and the User-Agent wrk will send, so the session fits both."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, path: str, data: dict | None = None) -> tuple[int, bytes]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body,
                                         headers={"User-Agent": USER_AGENT})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def token(self, path: str) -> str:
        status, page = self.request(path)
        match = _TOKEN_RE.search(page.decode())
        if status != 200 or match is None:
            raise RuntimeError(f"no form with a CSRF token at {path} ({status})")
        return match.group(1)

    def sign_in(self, email: str, password: str) -> None:
        token = self.token("/account/sign-in")
        status, _ = self.request("/account/sign-in", {
            "csrf_token": token, "email": email, "password": password})
        if status != 302:
            raise RuntimeError(f"signing in as {email} answered {status}")

    @property
    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


# wrk ----------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    # wrk prints two decimals, so a microsecond is the finest figure there is.
    return round(float(number) * _UNITS[unit], 3)


def parse_wrk(output: str) -> dict:
    def find(pattern: str, default: str | None = None) -> str:
        match = re.search(pattern, output, re.MULTILINE)
        if match is None:
            if default is None:
                raise RuntimeError(f"unexpected wrk output:\n{output}")
            return default
        return match.group(1)

    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": float(find(r"^Requests/sec:\s+([\d.]+)")),
        "p50_ms": _ms(find(r"^\s+50%\s+(\S+)")),
        "p99_ms": _ms(find(r"^\s+99%\s+(\S+)")),
        "requests": int(find(r"^\s+(\d+) requests in")),
        "non_2xx_3xx": int(find(r"Non-2xx or 3xx responses: (\d+)", "0")),
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
    }


def run_wrk(url: str, duration: int, cookie: str, script_args: list[str] | None = None) -> dict:
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency",
               "--timeout", "5s"]
    if script_args is None:
        command += ["-H", f"Cookie: {cookie}", "-H", f"User-Agent: {USER_AGENT}", url]
    else:
        command += ["-s", str(POST_SCRIPT), url, "--", *script_args]
    done = subprocess.run(command, capture_output=True, text=True, check=True,
                          timeout=duration + 60)
    return parse_wrk(done.stdout)


def require_ok(url: str, cookie: str) -> None:
    """Fail the run unless ``url`` answers 200 to the headers wrk sends."""
    request = urllib.request.Request(url, headers={"Cookie": cookie, "User-Agent": USER_AGENT})
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        with opener.open(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    if status != 200:
        raise RuntimeError(f"{url} answered {status} to wrk's cookie; the figures are void")


def post_count(database_url: str, thread_path: str) -> int:
    from sqlalchemy import create_engine, text

    thread_id = int(thread_path.rstrip("/").rsplit("/", 1)[1])
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(
                text("SELECT count(*) FROM posts WHERE thread_id = :id"), {"id": thread_id})
    finally:
        engine.dispose()


# One engine -------------------------------------------------------------------------

def postgres_database(server_url: str):
    """(url of a new database, drop function), or None when the server does not answer."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    server = make_url(server_url).set(drivername="postgresql+psycopg")
    if server.host not in LOOPBACK:
        raise SystemExit(f"The bench runs on loopback only; {server.host} is not.")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"casebook_bench_{secrets.token_hex(6)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        say(f"PostgreSQL at {server.render_as_string()} does not answer ({exc.orig}); skipped.")
        return None

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def landmarks(database_url: str) -> tuple[dict[str, str], str]:
    """The measured pages' paths, and the database server's name and version."""
    from casebook import create_app, demo
    from casebook.db import get_session

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench-landmarks"})
    engine = app.extensions["casebook.engine"]
    with app.app_context():
        paths = demo.landmarks(get_session())
    version = ".".join(map(str, engine.dialect.server_version_info or ()))
    engine.dispose()
    return paths, f"{engine.dialect.name} {version}".strip()


def selected(only: list[str] | None) -> list[tuple[str, str, str]]:
    if not only:
        return list(PAGES)
    return [page for page in PAGES
            if any(word.lower() in f"{page[0]} {page[1]}".lower() for word in only)]


def bench_engine(engine: str, database_url: str, args, workdir: Path) -> EngineRun:
    env = child_env({
        "CASEBOOK_DATABASE_URL": database_url,
        "CASEBOOK_INSTANCE_PATH": str(workdir / "instance"),
        "CASEBOOK_SECRET_KEY": secrets.token_hex(32),
        # One member replies hundreds of times a run; the limit is raised
        # out of the way, and its check still runs on every reply.
        "CASEBOOK_POST_RATE_LIMIT": BENCH_POST_LIMIT,
    })
    run = EngineRun(engine=engine, started_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    settings=settings(engine, args))
    say(f"\n== {engine}: migrating, importing cases, seeding at scale {args.scale}")
    started = time.monotonic()
    casebook_cli(env, "db", "upgrade")
    casebook_cli(env, "import-cases")
    casebook_cli(env, "seed-demo", "--scale", str(args.scale))
    run.seed_seconds = round(time.monotonic() - started, 1)
    paths, run.settings["database"] = landmarks(database_url)

    reference = Server("reference_app:create_app()", env, workdir, f"{engine}-reference",
                       pythonpath=BENCH_DIR)
    app = Server("casebook:create_app()", env, workdir, f"{engine}-casebook")
    try:
        reference.wait_ready()
        app.wait_ready("/account/sign-in")
        browser = Browser(app.base)
        browser.sign_in(*SIGN_IN)
        pages = selected(args.only)
        for _, landmark, method in pages:
            if method == "GET":
                for _ in range(3):  # warm both workers' template caches
                    status, _body = browser.request(paths[landmark])
                    if status != 200:
                        raise RuntimeError(f"{paths[landmark]} answered {status}")
        token = browser.token(paths["reply"])
        cookie = browser.cookie
        run.rss_kib["start"] = app.worker_rss_kib()
        # The figures are only as quiet as the machine: a load average near
        # or above the CPU count means other work shared the cores.
        run.settings["load_average_at_start"] = os.getloadavg()[0]

        say(f"== {engine}: {CONNECTIONS} connections for {args.duration} s per page")
        with urllib.request.urlopen(reference.base + "/") as response:
            size = len(response.read())
        base = Result(REFERENCE, REFERENCE, "/", "GET", size,
                      **run_wrk(reference.base + "/", args.duration, cookie))
        run.results.append(base)
        say(row(base, base.rps))
        for name, landmark, method in pages:
            path = paths[landmark]
            created = None
            if method == "GET":
                size = len(browser.request(path)[1])
                measured = run_wrk(app.base + path, args.duration, cookie)
                # A lost session would answer 302 to the sign-in page, which
                # wrk counts as a success; the cookie is the same throughout,
                # so it working after the run means it worked during it.
                require_ok(app.base + path, cookie)
            else:
                size = None
                before = post_count(database_url, paths[landmark])
                body = urllib.parse.quote_plus(REPLY_BODY)
                measured = run_wrk(app.base + path + "/posts", args.duration, cookie, [
                    cookie, urllib.parse.quote_plus(token), body,
                    f"bench-{secrets.token_hex(8)}"])
                created = post_count(database_url, paths[landmark]) - before
                path += "/posts"
            result = Result(name, landmark, path, method, size, **measured,
                            posts_created=created)
            run.results.append(result)
            say(row(result, base.rps))
        run.results.append(Result(REFERENCE_AGAIN, REFERENCE, "/", "GET", base.bytes,
                                  **run_wrk(reference.base + "/", args.duration, cookie)))
        say(row(run.results[-1], base.rps))
        reference_rps = (base.rps + run.results[-1].rps) / 2
        for result in run.results:
            result.share_of_reference = result.rps / reference_rps if reference_rps else None
        run.rss_kib["end"] = app.worker_rss_kib()
        run.settings["load_average_at_end"] = os.getloadavg()[0]
    finally:
        app.stop()
        reference.stop()
    return run


def settings(engine: str, args) -> dict:
    return {
        "engine": engine,
        "server": f"gunicorn, {WORKERS} sync workers, 127.0.0.1, no access log",
        "load": f"wrk -t{THREADS} -c{CONNECTIONS} -d{args.duration}s --latency",
        "signed_in_as": SIGN_IN[0],
        "scale": args.scale,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "redis": "off",
        "post_rate_limit": BENCH_POST_LIMIT,
    }


# Output ---------------------------------------------------------------------------------

HEADER = (f"{'page':<28} {'size':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'errors':>7} {'of ref':>7}")


def row(result: Result, reference_rps: float | None = None) -> str:
    """A table row; while the run goes on, the share is of the first reference."""
    size = f"{result.bytes / 1024:.0f} KB" if result.bytes is not None else "-"
    share = result.share_of_reference
    if reference_rps:
        share = result.rps / reference_rps
    share = f"{share:.0%}" if share is not None else "-"
    return (f"{result.name:<28} {size:>7} {result.rps:>8,.0f} {result.p50_ms:>8.1f} "
            f"{result.p99_ms:>8.1f} {result.errors:>7} {share:>7}")


def table(run: EngineRun) -> str:
    lines = [f"{run.engine} ({run.settings['server']}; {run.settings['load']}; "
             f"migrated and seeded in {run.seed_seconds} s)", HEADER, "-" * len(HEADER)]
    lines += [row(result) for result in run.results]
    for result in run.results:
        if result.posts_created is not None:
            lines.append(f"{result.name}: {result.posts_created:,} posts stored "
                         f"for {result.requests:,} completed requests")
    if "load_average_at_start" in run.settings:
        lines.append(f"load average (1 min) at start and end: "
                     f"{run.settings['load_average_at_start']:.1f}, "
                     f"{run.settings.get('load_average_at_end', float('nan')):.1f} "
                     f"on {run.settings['cpus']} CPUs")
    flatness = run.flatness()
    if flatness:
        lines.append(f"far pages against near ones (flat: within {FLAT_WITHIN:.0%}):")
        lines += [f"  {pair['far']} / {pair['near']}: {pair['far_share_of_near']:.0%}"
                  f"{'' if pair['flat'] else '  NOT FLAT'}" for pair in flatness]
    for moment in ("start", "end"):
        sizes = run.rss_kib.get(moment, {})
        listed = ", ".join(f"{kib / 1024:.0f} MB" for kib in sizes.values()) or "-"
        lines.append(f"worker RSS at {moment}: {listed}")
    return "\n".join(lines)


def write(run: EngineRun, results_dir: Path) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = run.started_at.replace(":", "").replace("+0000", "Z")
    target = results_dir / f"{stamp}-{run.engine}.json"
    data = asdict(run)
    for entry, result in zip(data["results"], run.results, strict=True):
        entry["errors"] = result.errors
    data["flatness"] = run.flatness()
    target.write_text(json.dumps(data, indent=2) + "\n")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per page (10)")
    parser.add_argument("--only", type=lambda s: s.split(","), default=None,
                        help="comma-separated words: measure only pages whose name has one")
    parser.add_argument("--engines", type=lambda s: s.split(","), default=list(ENGINES),
                        help="sqlite,postgresql (both)")
    parser.add_argument("--scale", type=float, default=1.0, help="demo dataset scale (1)")
    parser.add_argument("--results-dir", type=Path, default=BENCH_DIR / "results")
    args = parser.parse_args(argv)
    # Measure this checkout's code in this process too, as the servers do.
    sys.path.insert(0, str(ROOT))
    if shutil.which("wrk") is None:
        say("wrk is not installed (Debian: apt-get install wrk).")
        return 2
    unknown = set(args.engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engine(s): {', '.join(sorted(unknown))}")

    runs = []
    for engine in args.engines:
        with tempfile.TemporaryDirectory(prefix=f"casebook-bench-{engine}-") as tmp:
            workdir = Path(tmp)
            if engine == "sqlite":
                database = (f"sqlite:///{workdir / 'bench.sqlite3'}", lambda: None)
            else:
                database = postgres_database(
                    os.environ.get("CASEBOOK_BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
                if database is None:
                    continue
            url, drop = database
            try:
                run = bench_engine(engine, url, args, workdir)
            finally:
                drop()
            runs.append(run)
            say(f"results: {write(run, args.results_dir)}")
    for run in runs:
        say("\n" + table(run))
    return 0 if runs else 1


if __name__ == "__main__":
    sys.exit(main())
