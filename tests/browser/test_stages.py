"""A facilitator starts a discussion with two prompts left out and runs it stage
by stage; a participant cannot open a stage-2 prompt until that stage opens."""

import re

import pytest
from playwright.sync_api import expect

from casebook.db import get_session
from casebook.groups.models import Group
from tests.browser.conftest import assert_accessible_and_fits, signed_in_page
from tests.factories import add_member, make_group, make_user

pytestmark = pytest.mark.browser

LEFT_OUT = (re.compile(r"^How do the vigilante groups work"),
            re.compile(r"^Whose voices are missing from the report"))
STAGE_TWO = re.compile(r"^Who gains and who loses when a suspect is exposed")


@pytest.fixture
def group(live_app, live_cases):
    with live_app.app_context():
        session = get_session()
        fac = make_user(session, "Fay Facilitator")
        ann = make_user(session, "Ann Example")
        group = make_group(session, fac, name="Ethics seminar")
        add_member(session, group, ann)
        return {"gid": session.get(Group, group.id).id, "fac": fac.email, "ann": ann.email}


def test_facilitator_leaves_out_prompts_and_opens_stages_one_by_one(live, group, new_page):
    fac = signed_in_page(new_page, live, group["fac"])
    fac.goto(f"{live}/groups/{group['gid']}/discussions/new")
    fac.get_by_label("Case").select_option(label="Online vigilantes: feared more than the police?")
    fac.get_by_role("button", name="Show this case's prompts").click()
    prompts = fac.get_by_role("group", name="Prompts to discuss")
    expect(prompts.get_by_role("group", name="2. Stakeholders")).to_be_visible()
    assert_accessible_and_fits(fac)
    for label in LEFT_OUT:
        prompts.get_by_label(label).uncheck()
    fac.get_by_label(re.compile("^Stage by stage")).check()
    fac.get_by_role("button", name="Start the discussion").click()
    expect(fac.get_by_text("is ready, with one thread per prompt")).to_be_visible()
    for label in LEFT_OUT:
        expect(fac.get_by_role("link", name=label)).to_have_count(0)
    expect(fac.get_by_role("heading", name=re.compile(r"^2\. Stakeholders.*Not yet open")))\
        .to_be_visible()
    assert_accessible_and_fits(fac)
    discussion_url = fac.url

    ann = signed_in_page(new_page, live, group["ann"], width=390)
    ann.goto(discussion_url)
    stages = ann.get_by_role("region", name="Stages")
    expect(stages.get_by_text("Live now")).to_be_visible()
    expect(stages.get_by_text("To come")).to_have_count(4)
    expect(ann.get_by_role("link", name=STAGE_TWO)).to_have_count(0)
    expect(ann.get_by_role("button", name=re.compile("^Open the next stage"))).to_have_count(0)
    assert_accessible_and_fits(ann)
    # Following the first stage's prompts never leads into stage 2.
    ann.get_by_role("link", name=re.compile(r"^What exactly did DS Andy Nash claim")).click()
    expect(ann.get_by_role("link", name=re.compile("^Next prompt"))).to_have_count(0)

    # Its address, copied from the facilitator's page, is not found for her.
    stage_two_url = fac.get_by_role("link", name=STAGE_TWO).get_attribute("href")
    response = ann.goto(live + stage_two_url)
    assert response.status == 404

    fac.get_by_role("button", name="Open the next stage: Stakeholders").click()
    expect(fac.get_by_text("“Stakeholders” is open")).to_be_visible()
    assert_accessible_and_fits(fac)

    ann.goto(discussion_url)
    expect(ann.get_by_role("region", name="Stages").get_by_text("Live now")).to_be_visible()
    ann.get_by_role("link", name=STAGE_TWO).click()
    expect(ann.get_by_role("heading", level=1, name=STAGE_TWO)).to_be_visible()
    assert_accessible_and_fits(ann)
