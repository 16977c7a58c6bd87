"""In-process timing of the thread and case pages against a bare Flask+Jinja page.

Not the bench (no server, no concurrency): a quick, repeatable check of a change
to the thread page. It seeds a throwaway SQLite database with a thread of 50
posts of about 80 words, signs in a participant, and counts requests per
second of CPU time through Flask's test client for: a bare Flask view rendering
the same 50 posts (the reference), the thread page, and the signed-out case
page. CPU time, not wall time, so other load on the machine matters less.

    PYTHONPATH=. python bench/thread_timing.py            # the table
    PYTHONPATH=. python bench/thread_timing.py profile    # cProfile of 30 thread pages
"""

import cProfile
import os
import pstats
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask, render_template_string

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["the", "case", "raises", "questions", "about", "duty", "care", "and", "the",
         "limits", "of", "what", "a", "professional", "may", "do", "when", "a", "child",
         "discloses", "harm"]
REFERENCE = """<!doctype html><html><head><title>Thread</title></head><body><main>
{% for p in posts %}<article id="post-{{ p.n }}"><header>#{{ p.n }} {{ p.author }}
<time datetime="{{ p.created }}">{{ p.created }}</time></header>
<div class="post-body">{{ p.html|safe }}</div></article>
{% endfor %}</main></body></html>"""


def body(n: int) -> str:
    words = [WORDS[(n + i) % len(WORDS)] for i in range(70)]
    return (f"Post {n}: {' '.join(words[:30])} *emphasis* and [a link](https://example.org/{n})"
            f".\n\n- first point {' '.join(words[30:45])}\n- second point "
            f"{' '.join(words[45:70])}")


def seed():
    folder = tempfile.mkdtemp()
    os.environ["CASEBOOK_INSTANCE_PATH"] = folder
    from casebook import create_app, migrate
    from casebook.accounts.service import set_hash_cost
    from casebook.cases.loader import load_directory
    from casebook.cases.service import import_cases
    from casebook.db import make_engine, utcnow
    from casebook.discussion.models import Post, Thread
    from casebook.discussion.thread_reading import acknowledge_note
    from casebook.markdown import render_markdown
    from tests.factories import seminar

    set_hash_cost(time_cost=1, memory_cost=1024)
    url = f"sqlite:///{folder}/timing.sqlite3"
    migrate.upgrade(make_engine(url))
    app = create_app({"SECRET_KEY": "timing", "DATABASE_URL": url,
                      "RATELIMIT_STORAGE_URI": "memory://", "CASES_DIR": str(ROOT / "cases")})
    with app.extensions["casebook.sessionmaker"]() as session:
        import_cases(session, load_directory(ROOT / "cases"))
        w = seminar(session)
        thread = session.get(Thread, w.thread.id)
        authors = [w.ann, w.ben, w.mod]
        start = utcnow() - timedelta(days=1)
        posts = []
        for n in range(1, 51):
            text = body(n)
            post = Post(thread_id=thread.id, author_id=authors[n % 3].id, number=n,
                        status="published", body_md=text, body_html=render_markdown(text),
                        created_at=start + timedelta(seconds=n))
            if n % 5 == 0:
                post.reply_to = posts[n - 3]
            posts.append(post)
        session.add_all(posts)
        thread.last_number = 50
        thread.last_post_at = posts[-1].created_at
        session.commit()
        acknowledge_note(session, w.discussion, session.get(type(w.ann), w.ann.id))
        reference = [{"author": "Ann Example", "n": p.number, "html": p.body_html,
                      "created": p.created_at.isoformat()} for p in posts]
        member = app.test_client()
        with member.session_transaction() as flask_session:
            flask_session["_user_id"] = w.ann.get_id()
            flask_session["_fresh"] = True
        return app, member, f"/groups/{w.gid}/threads/{thread.id}", reference


def rate(client, url: str, seconds: float = 3.0) -> tuple[float, int]:
    first = client.get(url)
    assert first.status_code == 200, (url, first.status_code)
    count, began = 0, time.process_time()
    while time.process_time() - began < seconds:
        client.get(url)
        count += 1
    return count / (time.process_time() - began), len(first.data)


def main() -> None:
    app, member, thread_url, reference_posts = seed()
    bare = Flask("reference")
    bare.add_url_rule("/", "page",
                      lambda: render_template_string(REFERENCE, posts=reference_posts))
    if sys.argv[1:2] == ["profile"]:
        member.get(thread_url)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(30):
            member.get(thread_url)
        profile.disable()
        pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(40)
        return
    reference, size = rate(bare.test_client(), "/")
    rows = [("reference", reference, size),
            ("thread page", *rate(member, thread_url)),
            ("case page, signed out", *rate(app.test_client(),
                                             "/cases/online-vigilantes/read"))]
    for name, per_second, size in rows:
        print(f"{name:24} {per_second:7.0f}/s {size:7} B {100 * per_second / reference:6.1f}%")


if __name__ == "__main__":
    main()
