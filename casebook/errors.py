"""Branded error pages; no traceback ever reaches a visitor outside debug."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from casebook.guards import drain_body

_MESSAGES = {
    400: ("Something in that request was wrong", "Please go back and try again."),
    403: ("You can't do that here", "Your account doesn't have permission for this action."),
    404: ("Page not found", "There is nothing here, or you don't have access to it."),
    405: ("That didn't work", "This page can't be used that way."),
    413: ("That was too large", "Please send something smaller."),
    429: ("Too many attempts", "Please wait a minute before trying again."),
    500: ("Something went wrong on our side", "The error has been logged. Please try again."),
}


def _render(code: int, detail: str | None = None):
    title, message = _MESSAGES.get(code, _MESSAGES[500])
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


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

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_error):
        drain_body()
        return _render(413)

    @app.errorhandler(InternalServerError)
    def _server(_error):
        return _render(500)
