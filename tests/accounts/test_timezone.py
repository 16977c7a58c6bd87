"""Members choose the timezone discussion times are shown in."""

import re
from html.parser import HTMLParser

from tests.accounts.pages import text_of
from tests.conftest import post_form, register


class _Select(HTMLParser):
    """The timezone <select>: its options in order, each with its <optgroup> label."""

    def __init__(self):
        super().__init__()
        self.options: list[dict] = []
        self._group = None
        self._inside = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select" and attrs.get("name") == "timezone":
            self._inside = True
        elif self._inside and tag == "optgroup":
            self._group = attrs["label"]
        elif self._inside and tag == "option":
            self.options.append({"value": attrs["value"], "group": self._group,
                                 "selected": "selected" in attrs, "label": ""})

    def handle_endtag(self, tag):
        if tag == "optgroup":
            self._group = None
        elif tag == "select":
            self._inside = False

    def handle_data(self, data):
        if self._inside and self.options and not self.options[-1]["label"]:
            self.options[-1]["label"] = data.strip()


def timezone_options(html: str) -> list[dict]:
    parser = _Select()
    parser.feed(html)
    return parser.options


def selected(html: str) -> dict:
    [option] = [o for o in timezone_options(html) if o["selected"]]
    return option


def test_account_page_changes_the_timezone_times_are_shown_in(client, session):
    register(client)
    page = client.get("/account/").get_data(as_text=True)
    assert selected(page) == {"value": "Europe/London", "group": "Europe",
                              "selected": True, "label": "London"}

    response = post_form(client, "/account/", "/account/timezone",
                         {"timezone": "America/New_York"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Times are now shown in America/New York." in page
    assert selected(page) == {"value": "America/New_York", "group": "America",
                              "selected": True, "label": "New York"}


def test_the_timezone_list_starts_with_utc_then_groups_places_by_region(client):
    register(client)
    page = client.get("/account/").get_data(as_text=True)
    options = timezone_options(page)

    assert options[0]["value"] == "UTC" and options[0]["group"] is None
    groups = [o["group"] for o in options[1:]]
    assert None not in groups
    # Each region is one <optgroup>, in alphabetical order.
    regions = list(dict.fromkeys(groups))
    assert regions == sorted(regions)
    assert {"Africa", "America", "Asia", "Europe", "Pacific"} <= set(regions)
    assert page.count("<optgroup") == len(regions)
    by_value = {o["value"]: o for o in options}
    assert by_value["America/Argentina/Buenos_Aires"]["label"] == "Argentina/Buenos Aires"
    assert by_value["Asia/Kolkata"]["group"] == "Asia"


def test_the_timezone_control_has_one_visible_label_under_its_own_heading(client):
    register(client)
    page = client.get("/account/").get_data(as_text=True)
    assert '<h2 id="timezone-heading">How times are shown</h2>' in page
    assert len(re.findall(r"<label[^>]*>Timezone</label>", page)) == 1
    assert len(re.findall(r">\s*Timezone\s*<", page)) == 1


def test_utc_can_be_chosen(client):
    register(client)
    response = post_form(client, "/account/", "/account/timezone", {"timezone": "UTC"},
                         follow_redirects=True)
    assert "Times are now shown in UTC." in text_of(response)
    assert selected(text_of(response))["value"] == "UTC"


def test_an_unknown_timezone_is_refused_next_to_the_field(client):
    register(client)
    response = post_form(client, "/account/", "/account/timezone", {"timezone": "Mars/Olympus"})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
