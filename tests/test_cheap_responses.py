"""Static files under content-hashed URLs with long lifetimes; gzip when accepted."""

import gzip
import hashlib
import re

from tests.conftest import ROOT

CSS = ROOT / "static" / "css" / "casebook.css"
CASE_PAGE = "/cases/online-vigilantes/read"


def stylesheet_url(html: str) -> str:
    match = re.search(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert match
    return match.group(1)


def test_static_urls_carry_the_file_hash_and_only_those_are_cached_for_a_year(app, client):
    url = stylesheet_url(client.get("/account/sign-in").get_data(as_text=True))
    digest = hashlib.sha256(CSS.read_bytes()).hexdigest()[:12]
    assert url == f"/static/css/casebook.css?v={digest}"

    hashed = client.get(url)
    assert hashed.status_code == 200
    assert hashed.headers["Cache-Control"] == "public, max-age=31536000, immutable"

    # Without the hash, or with an old one, the browser must revalidate: the
    # file may have changed since.
    for other in ("/static/css/casebook.css", "/static/css/casebook.css?v=0123456789ab"):
        response = client.get(other)
        assert response.status_code == 200
        assert "immutable" not in response.headers.get("Cache-Control", ""), other


def test_pages_are_gzipped_for_clients_that_accept_it(app, cases, client):
    plain = client.get(CASE_PAGE)
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]

    packed = client.get(CASE_PAGE, headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 2
    assert gzip.decompress(packed.data) == plain.data

    css = client.get("/static/css/casebook.css", headers={"Accept-Encoding": "gzip"})
    assert css.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(css.data) == CSS.read_bytes()


def test_small_responses_and_refusing_clients_get_plain_bytes(app, client):
    small = client.get("/favicon.ico", headers={"Accept-Encoding": "gzip"})
    assert small.status_code == 200 and len(small.data) < 1024
    assert "Content-Encoding" not in small.headers
    refused = client.get("/account/sign-in", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers


def test_compressed_pages_still_revalidate_with_their_etag(app, cases, client):
    gz = {"Accept-Encoding": "gzip"}
    first = client.get(CASE_PAGE, headers=gz)
    assert first.headers["ETag"].startswith('W/"')
    again = client.get(CASE_PAGE, headers={**gz, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_equal_pages_compress_to_different_lengths(app, cases, client):
    # The random gzip header (against BREACH): the length of one page varies.
    lengths = {len(client.get(CASE_PAGE, headers={"Accept-Encoding": "gzip"}).data)
               for _ in range(12)}
    assert len(lengths) > 3
