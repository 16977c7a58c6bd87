"""The bench's ceiling: a bare Flask view rendering a compiled Jinja page of 50
posts the size of a thread page's, with no database, session or extension.

Served by the same gunicorn settings in the same run as Casebook, its
requests per second are what the measured pages are compared with.
"""

import random

from flask import Flask

from casebook.demo import body_pool

POSTS = 50

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/casebook.css"></head>
<body>
<header><a href="/">Casebook</a></header>
<main>
<h1>{{ title }}</h1>
<ol class="posts">
{% for post in posts %}
<li class="post" id="post-{{ post.id }}">
  <p class="post-meta"><strong>{{ post.author }}</strong>
  <a href="/groups/1/posts/{{ post.id }}">#{{ post.number }}</a>
  <time datetime="2026-10-01T10:{{ '%02d' % (post.number % 60) }}">1 October</time></p>
  <div class="post-body">{{ post.html | safe }}</div>
  <p class="post-actions"><a href="?reply_to={{ post.id }}">Reply</a></p>
</li>
{% endfor %}
</ol>
</main>
</body>
</html>
"""


def create_app() -> Flask:
    app = Flask(__name__)
    bodies = body_pool(random.Random(2026))
    posts = [{"id": n, "number": n, "author": f"Member {n}", "html": bodies[n % len(bodies)][1]}
             for n in range(1, POSTS + 1)]
    # Compiled once here: the reference measures rendering, not compiling.
    template = app.jinja_env.from_string(PAGE)

    @app.route("/")
    def page():
        return template.render(title="Reference: 50 posts", posts=posts)

    return app
