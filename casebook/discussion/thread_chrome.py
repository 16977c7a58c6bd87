"""Parts of the thread page that depend only on the case and the thread's
address: the tag filter, the blank reply form and the case's key facts.
Drawing them was a third of the page's time (bench/README.md), so each is
drawn once and kept.

Kept by ``page_chrome.kept``, keyed by the case's content digest: an edited
case gets a new key, so no app server can serve a stale copy and there is
nothing to invalidate.
"""

import secrets

from flask import render_template, request

from casebook import fragments
from casebook.cases.models import Case
from casebook.cases.service import key_facts_html
from casebook.deliberation import service as deliberation
from casebook.deliberation.forms import offer_tags
from casebook.discussion.forms import PostForm
from casebook.page_chrome import kept


def blank_reply_fields(case: Case) -> str:
    """The reply form's fields, empty, with a new submission key for this request.

    The CSRF token and the form's address stay in the page template, so the
    kept HTML holds nothing of one viewer or one thread.
    """
    placeholder = fragments.placeholder("submission-key")

    def draw() -> str:
        form = offer_tags(PostForm(formdata=None), case)
        form.submission_key.data = placeholder
        return render_template("discussion/_reply_fields.html", form=form, preview_html=None)

    html = kept(("reply-fields", case.id, case.source_digest), draw)
    return html.replace(placeholder, secrets.token_urlsafe(24))


def tag_filter(case: Case, group_id: int, thread_id: int,
               tag: deliberation.Tag | None) -> str:
    """The "Show posts tagged…" links of a thread, with ``tag`` marked current."""
    key = ("tag-filter", case.id, case.source_digest, group_id, thread_id, tag and tag.param,
           request.script_root)
    return kept(key, lambda: render_template(
        "deliberation/_tag_filter.html", group_id=group_id, thread_id=thread_id, tag=tag,
        tag_filters=deliberation.filters(case)))


def key_facts(case: Case) -> str:
    """``cases.service.key_facts_html``: cut from the case's body by a pattern."""
    return kept(("key-facts", case.id, case.source_digest), lambda: key_facts_html(case))
