"""Casebook: case-method discussion for seminars on sensitive subjects."""

import functools
import os
from pathlib import Path

from flask import Flask
from sqlalchemy import bindparam, select

from casebook import (
    assets,
    db,
    errors,
    fragments,
    guards,
    httpcache,
    page_chrome,
    policy,
    security,
    timefmt,
)
from casebook.config import load_config
from casebook.extensions import csrf, limiter, login_manager
from casebook.ids import IdConverter
from casebook.live import events as live_events
from casebook.mail import service as mail
from casebook.paths import resource_dir
from casebook.search import index as _search_index  # noqa: F401  (keeps posts' search text)
from casebook.support import load_support


def create_app(config: dict | None = None) -> Flask:
    """Build the application; ``config`` overrides values read from the environment."""
    app = Flask(
        __name__,
        instance_path=_instance_path(),
        instance_relative_config=True,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    instance_path = Path(app.instance_path)
    app.config.update(load_config(instance_path, config))
    app.config.setdefault("RENDER_VERSION", httpcache.templates_digest(
        resource_dir("templates")))
    app.config.setdefault(
        "RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://"
    )
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    # Should Redis go away, each worker counts in its own memory until it is
    # back, rather than every limited page answering with a 500.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    if app.config["PROXY_COUNT"]:
        # Behind a reverse proxy the client address comes from X-Forwarded-For;
        # without this every visitor would share the proxy's rate limit.
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    db.init_app(app)
    mail.init_app(app)
    fragments.init_app(app)
    live_events.init_app(app)
    # Before CSRF: its check reads the form, so odd bodies must be refused first.
    guards.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    # The limiter is one object per process and keeps the first key prefix it
    # is given; an app made later in the same process (tests, two instances in
    # one interpreter) must count under its own.
    limiter._key_prefix = app.config["RATELIMIT_KEY_PREFIX"]
    limiter.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    page_chrome.init_app(app)
    errors.init_app(app)
    app.extensions["casebook.support"] = load_support(app.config["SUPPORT_FILE"])

    # Before the blueprints: their rules are compiled with the converters known then.
    app.url_map.converters["id"] = IdConverter

    from casebook.accounts.views import bp as accounts_bp
    from casebook.cases.group_views import bp as group_cases_bp
    from casebook.cases.views import bp as cases_bp
    from casebook.debrief.views import bp as debrief_bp
    from casebook.deliberation.views import bp as deliberation_bp
    from casebook.discussion.views import bp as discussion_bp
    from casebook.discussion.views import page_links
    from casebook.groups.views import bp as groups_bp
    from casebook.live.views import bp as live_bp
    from casebook.main.views import bp as main_bp
    from casebook.moderation.views import bp as moderation_bp
    from casebook.notifications.views import bp as notifications_bp
    from casebook.polls.views import bp as polls_bp
    from casebook.search.views import bp as search_bp

    for blueprint in (main_bp, accounts_bp, cases_bp, group_cases_bp, groups_bp,
                      discussion_bp, deliberation_bp, moderation_bp, debrief_bp, search_bp,
                      polls_bp, live_bp, notifications_bp):
        app.register_blueprint(blueprint)

    app.jinja_env.filters.update(localtime=timefmt.localtime, isotime=timefmt.isotime)
    app.jinja_env.globals.update(
        policy=policy,
        site_name=app.config["SITE_NAME"],
        support_organisations=lambda: app.extensions["casebook.support"],
        page_links=page_links,
    )

    from casebook.cli import register_commands

    register_commands(app)
    return app


def _instance_path() -> str | None:
    configured = os.environ.get("CASEBOOK_INSTANCE_PATH")
    return os.path.abspath(configured) if configured else None


@functools.cache
def _user_statement():
    """The signed-in user with the badge's unread count, so the badge costs no query
    of its own; built once, as building it costs more than running it."""
    from casebook.accounts.models import User
    from casebook.notifications.service import unread_count_of

    return select(User, unread_count_of(User.id)).where(User.id == bindparam("user_id"))


@login_manager.user_loader
def _load_user(session_id: str):
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    row = db.get_session().execute(_user_statement(), {"user_id": int(user_id)}).first()
    if row is None or row[0].session_version != int(version):
        return None
    user, user.unread_notifications = row
    return user
