"""Reading what a user sees: field errors, cookies, hidden values, signed-in state."""

import re
from html.parser import HTMLParser

from sqlalchemy import func, select

from casebook.accounts import service
from casebook.accounts.models import User
from casebook.db import get_session

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
         "source", "track", "wbr"}
_TOKEN_VALUE = re.compile(r'(name="csrf_token" value=")[^"]+(")')


class _Elements(HTMLParser):
    """Every element with an id: its tag, attributes, text and enclosing field block."""

    def __init__(self):
        super().__init__()
        self.by_id: dict[str, dict] = {}
        self._stack: list[dict] = []
        self._field_blocks = 0

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        field = None
        if tag == "div" and "field" in attrs.get("class", "").split():
            self._field_blocks += 1
            field = self._field_blocks
        enclosing = next((e["field"] for e in reversed(self._stack) if e["field"]), None)
        element = {"tag": tag, "attrs": attrs, "text": "", "field": field,
                   "in_field": field or enclosing}
        if "id" in attrs:
            self.by_id[attrs["id"]] = element
        if tag not in _VOID:
            self._stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self._stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index]["tag"] == tag:
                del self._stack[index:]
                break

    def handle_data(self, data):
        for element in self._stack:
            element["text"] += data


def elements(html: str) -> dict[str, dict]:
    parser = _Elements()
    parser.feed(html)
    return parser.by_id


def text_of(response) -> str:
    return response.get_data(as_text=True)


def assert_field_error(response, field_id: str, message: str) -> None:
    """The message is shown in the field's own block, tied to the input for screen readers."""
    found = elements(text_of(response))
    assert field_id in found, f"no element with id {field_id!r}"
    control = found[field_id]
    error_id = f"{field_id}-error"
    assert control["attrs"].get("aria-invalid") == "true", f"{field_id} is not aria-invalid"
    assert error_id in control["attrs"].get("aria-describedby", "").split()
    assert error_id in found, f"no error message shown for {field_id}"
    error = found[error_id]
    assert message in " ".join(error["text"].split())
    assert error["in_field"] is not None and error["in_field"] == control["in_field"], (
        "error message is not next to its field"
    )


def assert_no_field_error(response, field_id: str) -> None:
    found = elements(text_of(response))
    assert field_id in found
    assert "aria-invalid" not in found[field_id]["attrs"]
    assert f"{field_id}-error" not in found


def hidden_value(response, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', text_of(response))
    assert match, f"no hidden {name} field"
    return match.group(1)


def without_csrf_token(html: str) -> str:
    return _TOKEN_VALUE.sub(r"\1TOKEN\2", html)


def set_cookie(response, name: str) -> dict[str, str] | None:
    """The attributes of the Set-Cookie header for ``name`` (lower-cased keys), or None."""
    for header in response.headers.getlist("Set-Cookie"):
        first, *rest = [part.strip() for part in header.split(";")]
        cookie_name, _, value = first.partition("=")
        if cookie_name == name:
            attrs = {"value": value}
            for part in rest:
                key, _, attr_value = part.partition("=")
                attrs[key.lower()] = attr_value
            return attrs
    return None


def is_signed_in(client) -> bool:
    response = client.get("/account/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/sign-in")
    return False


def create_account(app, email="ann@example.org", name="Ann Example",
                   password="correct horse 1", is_admin=False) -> int:
    with app.app_context():
        return service.register(get_session(), email=email, display_name=name,
                                password=password, is_admin=is_admin).id


def find_user(app, email: str) -> User | None:
    with app.app_context():
        return service.find_by_email(get_session(), email)


def user_count(app) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(User))
