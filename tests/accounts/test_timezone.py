"""Members choose the timezone discussion times are shown in."""

from tests.conftest import post_form, register


def test_account_page_changes_the_timezone_times_are_shown_in(client, session):
    register(client)
    page = client.get("/account/").get_data(as_text=True)
    assert '<option selected value="Europe/London">Europe/London</option>' in page

    response = post_form(client, "/account/", "/account/timezone",
                         {"timezone": "America/New_York"}, follow_redirects=True)
    assert "Times are now shown in America/New York." in response.get_data(as_text=True)
    assert ('<option selected value="America/New_York">America/New York</option>'
            in response.get_data(as_text=True))


def test_an_unknown_timezone_is_refused_next_to_the_field(client):
    register(client)
    response = post_form(client, "/account/", "/account/timezone", {"timezone": "Mars/Olympus"})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
