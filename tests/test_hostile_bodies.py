"""Request bodies over the size limit: the branded 413 page, readable by the
client, also through a real gunicorn (where a server that closes a socket with
unread data resets the connection and the client can lose the response)."""

import os
import socket
import subprocess
import sys
import time

import pytest

from casebook import migrate
from casebook.config import load_config
from casebook.db import make_engine
from tests.conftest import ROOT, csrf_token, make_test_app

LIMIT = 64 * 1024
TOO_LARGE = "That was too large"


def test_the_limit_is_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CASEBOOK_SECRET_KEY", "x")
    monkeypatch.setenv("CASEBOOK_MAX_CONTENT_LENGTH", "12345")
    assert load_config(tmp_path)["MAX_CONTENT_LENGTH"] == 12345
    monkeypatch.delenv("CASEBOOK_MAX_CONTENT_LENGTH")
    assert load_config(tmp_path)["MAX_CONTENT_LENGTH"] == 1024 * 1024


def test_an_over_size_post_gets_the_branded_413_page(database_url, tmp_instance):
    app = make_test_app(database_url, MAX_CONTENT_LENGTH=LIMIT)
    client = app.test_client()
    token = csrf_token(client)
    for body in ({"csrf_token": token, "password": "x" * (LIMIT + 1)},
                 f"csrf_token={token}&email=" + "y" * (4 * LIMIT)):
        response = client.post("/account/sign-in", data=body,
                               content_type="application/x-www-form-urlencoded")
        assert response.status_code == 413
        assert TOO_LARGE in response.get_data(as_text=True)
    app.extensions["casebook.engine"].dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """gunicorn as deployed (threads, so connections are kept alive), on SQLite."""
    url = f"sqlite:///{tmp_path / 'casebook.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    port = _free_port()
    env = {**os.environ, "CASEBOOK_DATABASE_URL": url, "CASEBOOK_SECRET_KEY": "test",
           "CASEBOOK_INSTANCE_PATH": str(tmp_path), "CASEBOOK_MAX_CONTENT_LENGTH": str(LIMIT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--threads", "2", "--control-socket", str(tmp_path / "gunicorn.ctl"),
         "casebook:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("gunicorn did not start: " + process.stderr.read().decode())
            time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(timeout=10)


def _read_response(sock) -> tuple[bytes, bytes]:
    """Status line plus headers, and a body of exactly Content-Length bytes."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before the headers: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed before the whole body was read"
        body += chunk
    return head, body


@pytest.mark.parametrize("size", [LIMIT + 1, 4 * LIMIT, 64 * LIMIT])
def test_gunicorn_sends_a_complete_413_the_client_can_read(server, size):
    body = b"body=" + b"x" * (size - 5)
    request = (f"POST /account/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"Content-Type: application/x-www-form-urlencoded\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", server), timeout=20) as sock:
        sock.sendall(request + body)
        head, page = _read_response(sock)
        assert head.startswith(b"HTTP/1.1 413"), head
        assert TOO_LARGE.encode() in page
        # Then the connection is either closed cleanly or still usable: no reset.
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        try:
            first = sock.recv(65536, socket.MSG_PEEK)
        except ConnectionResetError:
            pytest.fail("the server reset the connection after the 413")
        if first:
            head, _page = _read_response(sock)
            assert head.startswith(b"HTTP/1.1 200"), head
