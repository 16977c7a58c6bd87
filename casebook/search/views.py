from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from casebook import policy
from casebook.db import get_session
from casebook.discussion import service as discussions
from casebook.discussion import thread_reading
from casebook.discussion.models import Post
from casebook.groups.service import my_groups
from casebook.ids import parse_page
from casebook.search import service
from casebook.search.forms import SearchForm
from casebook.search.text import highlight, plain_text, terms

bp = Blueprint("search", __name__)


@bp.route("/search")
@login_required
def posts():
    """Posts of the member's groups, by word; one group when the form names one."""
    session = get_session()
    memberships = my_groups(session, current_user)
    by_group = {m.group_id: m for m in memberships}
    form = SearchForm(formdata=request.args)
    form.set_groups(memberships)
    searched = "q" in request.args
    wanted = terms(form.q.data or "") if searched and form.validate() else []
    results = None
    if wanted:
        chosen = int(form.group.data) if form.group.data else None
        results = service.search_posts(
            session, current_user, [chosen] if chosen else list(by_group), wanted,
            sees_everything_in={g for g, m in by_group.items()
                                if policy.sees_everything(current_user, m)},
            page=parse_page(request.args.get("page")))

    def label_of(post: Post) -> thread_reading.AuthorLabel:
        discussion = post.thread.discussion
        membership = by_group[discussion.group_id]
        return thread_reading.author_label(
            post.author, results.members.get((discussion.group_id, post.author_id)),
            discussion, real_names=policy.may_see_real_names(current_user, membership, discussion),
            role=post.author_role)

    return render_template(
        "search/posts.html", form=form, searched=searched, results=results,
        groups={g: m.group for g, m in by_group.items()}, label_of=label_of,
        snippet=lambda post: highlight(plain_text(post.body_html), wanted),
        plain=lambda text: discussions.excerpt(text, 2_000),
    ), 422 if form.errors else 200
