"""Branded error pages; no traceback ever reaches a visitor outside debug."""

import math
import time

from flask import Flask, render_template
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from casebook.extensions import limiter
from casebook.guards import drain_body

_MESSAGES = {
    400: ("Something in that request was wrong", "Please go back and try again."),
    403: ("You can't do that here", "Your account doesn't have permission for this action."),
    404: ("Page not found", "There is nothing here, or you don't have access to it."),
    405: ("That didn't work", "This page can't be used that way."),
    413: ("That was too large", "Please send something smaller."),
    429: ("Too many attempts", "Please wait a little before trying again."),
    500: ("Something went wrong on our side", "The error has been logged. Please try again."),
}


def _render(code: int, detail: str | None = None):
    title, message = _MESSAGES.get(code, _MESSAGES[500])
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def wait_in_words(seconds: int) -> str:
    """"about 40 seconds", "about 3 minutes", "about 2 hours": rounded up, never "0"."""
    if seconds < 60:
        return "1 second" if seconds <= 1 else f"about {seconds} seconds"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return "1 minute" if minutes == 1 else f"about {minutes} minutes"
    hours = math.ceil(minutes / 60)
    return "1 hour" if hours == 1 else f"about {hours} hours"


def _too_many(error: RateLimitExceeded):
    current = limiter.current_limit
    seconds = max(1, math.ceil(current.window[0] - time.time())) if current else 60
    reason = error.description if error.limit.error_message else ""
    detail = f"{reason} Please try again in {wait_in_words(seconds)}.".strip()
    page, code = _render(429, detail)
    return page, code, {"Retry-After": str(seconds)}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return _render(400, "This form expired or was sent from another site. "
                            "Go back, reload the page and try again; nothing was saved.")

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return _render(error.code)

    app.errorhandler(RateLimitExceeded)(_too_many)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_error):
        drain_body()
        return _render(413)

    @app.errorhandler(InternalServerError)
    def _server(_error):
        return _render(500)
