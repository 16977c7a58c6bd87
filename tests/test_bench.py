"""``make bench`` end to end, briefly: a one-second run of two pages on SQLite.

The figures themselves belong to the bench, not to the tests; here it must
run, sign in, post with CSRF and write its JSON with numbers in it.
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "bench" / "run.py"


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:40000/groups/1/threads/1
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    82.10ms   20.05ms 300.00ms   70.00%
    Req/Sec    94.00     10.00   120.00     80.00%
  Latency Distribution
     50%  820.00us
     75%   90.00ms
     90%  110.00ms
     99%    1.50s
  940 requests in 10.00s, 75.00MB read
  Socket errors: connect 0, read 2, write 1, timeout 4
  Non-2xx or 3xx responses: 5
Requests/sec:     94.00
Transfer/sec:      7.50MB
"""


def test_wrk_figures_are_read_in_milliseconds_with_every_error_counted():
    figures = _bench_module().parse_wrk(WRK_OUTPUT)

    assert figures == {"rps": 94.0, "p50_ms": 0.82, "p99_ms": 1500.0, "requests": 940,
                       "non_2xx_3xx": 5, "socket_errors": 7}


def test_a_far_page_more_than_15_percent_slower_than_its_near_one_is_not_flat():
    bench = _bench_module()

    def result(landmark, rps):
        return bench.Result(landmark, landmark, "/", "GET", 1, rps, 1.0, 2.0, 10, 0, 0)

    run = bench.EngineRun("sqlite", "now", {"server": "gunicorn", "load": "wrk"}, [
        result("thread_100", 100.0), result("thread_10000", 84.0),
        result("group_10", 100.0), result("group_500", 86.0),
    ])

    assert run.flatness() == [
        {"near": "thread_100", "far": "thread_10000", "far_share_of_near": 0.84, "flat": False},
        {"near": "group_10", "far": "group_500", "far_share_of_near": 0.86, "flat": True},
    ]
    assert "thread_10000 / thread_100: 84%  NOT FLAT" in bench.table(run)


def test_a_short_run_writes_the_table_and_json_with_numbers(tmp_path):
    if shutil.which("wrk") is None:
        reason = "wrk is not installed (apt-get install wrk)"
        if os.environ.get("CASEBOOK_REQUIRE_BENCH"):
            pytest.fail(reason)
        pytest.skip(reason)
    results = tmp_path / "results"

    done = subprocess.run(
        [sys.executable, str(RUN), "--engines", "sqlite", "--duration", "1", "--scale", "0.01",
         "--only", "case page,reply", "--results-dir", str(results)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "seeded" in done.stdout and "req/s" in done.stdout
    [written] = results.glob("*-sqlite.json")
    run = json.loads(written.read_text())
    assert [r["name"] for r in run["results"]] == [
        "reference", "case page", "POST a reply", "reference, at the end"]
    for result in run["results"]:
        assert result["requests"] > 0 and result["rps"] > 0, result
        assert 0 < result["p50_ms"] <= result["p99_ms"], result
        # The reply counts too: a rejected CSRF token or a lost session would be a 4xx.
        assert result["errors"] == 0, result
        assert result["share_of_reference"] > 0
    # Shares are of the two reference runs' mean.
    first, last = run["results"][0], run["results"][-1]
    assert first["share_of_reference"] + last["share_of_reference"] == pytest.approx(2.0)
    case_page = run["results"][1]
    assert case_page["share_of_reference"] == pytest.approx(
        2 * case_page["rps"] / (first["rps"] + last["rps"]))
    reply = run["results"][-2]
    assert reply["posts_created"] >= reply["requests"]
    for moment in ("start", "end"):
        assert len(run["rss_kib"][moment]) == 2  # one figure per worker
        assert all(kib > 10_000 for kib in run["rss_kib"][moment].values())
    assert run["settings"]["server"].startswith("gunicorn, 2 sync workers")
