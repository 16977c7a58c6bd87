"""The participation page: who took part in a discussion, for facilitators and moderators."""

import csv
import io
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from casebook.accounts import service as accounts
from casebook.accounts.models import User
from casebook.discussion.models import (
    HIDDEN,
    PENDING,
    PSEUDONYMOUS,
    REMOVED,
    Discussion,
    Post,
)
from casebook.groups import service as groups
from casebook.groups.models import Group
from tests.conftest import count_queries, db
from tests.discussion.conftest import member, page_text, write
from tests.factories import PASSWORD, add_member, make_user

T0 = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


class _Table(HTMLParser):
    """The participation table as the reader meets it: header texts (without the
    hidden sort hint), aria-sort per header, and each row's cells by data-label."""

    def __init__(self):
        super().__init__()
        self.headings: list[str] = []
        self.aria_sort: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.rows: list[dict[str, str]] = []
        self._cell: list[str] | None = None
        self._label = ""
        self._in_th = False
        self._hidden = 0
        self._th_attrs: dict = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "th":
            self._in_th, self._cell, self._th_attrs = True, [], attrs
        elif tag == "tr" and not self._in_th and self.headings:
            self.rows.append({})
        elif tag == "td":
            self._cell, self._label = [], attrs["data-label"]
        elif tag == "a" and self._in_th:
            self._th_attrs["href"] = attrs["href"]
        elif tag == "span" and "visually-hidden" in (attrs.get("class") or ""):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag == "span" and self._hidden:
            self._hidden -= 1
        elif tag == "th":
            text = " ".join("".join(self._cell).split())
            self.headings.append(text)
            self.links[text] = self._th_attrs.get("href", "")
            if "aria-sort" in self._th_attrs:
                self.aria_sort[text] = self._th_attrs["aria-sort"]
            self._in_th, self._cell = False, None
        elif tag == "td":
            self.rows[-1][self._label] = " ".join("".join(self._cell).split())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None and not self._hidden:
            self._cell.append(data)


def table(response) -> _Table:
    assert response.status_code == 200
    parsed = _Table()
    parsed.feed(page_text(response))
    return parsed


def url(w, **query) -> str:
    base = f"/groups/{w.gid}/discussions/{w.discussion.id}/participation"
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def at(session, post: Post, minutes: int) -> None:
    session.get(Post, post.id).created_at = T0 + timedelta(minutes=minutes)


def small_world(app, w, *, pseudonymous: bool = False) -> dict:
    """Prompt 1: Ann answers (3 words), Ben replies to her (2), Ann replies to Ben (1) and
    to herself (2), Ann's fourth post is hidden, Ben's second removed, Ben's third pending.
    Prompt 2: Ann (2 words) and Lee (3), who then leaves the group. Nia joins but never posts;
    Rae leaves without posting. Times run from 10:00 UTC on 3 March 2026."""
    first, second = w.discussion.threads[0], w.discussion.threads[1]
    with db(app) as session:
        if pseudonymous:
            session.get(Discussion, w.discussion.id).identity = PSEUDONYMOUS
        group = session.get(Group, w.gid)
        lee, nia, rae = (make_user(session, name) for name in ("Lee Left", "Nia New", "Rae Gone"))
        for user in (lee, nia, rae):
            add_member(session, group, user)
        session.get(User, w.fac.id).timezone = "America/New_York"
        session.commit()
        a1 = write(session, first.id, w.ann, "one two three")
        b1 = write(session, first.id, w.ben, "four five", reply_to=session.get(Post, a1.id))
        a2 = write(session, first.id, w.ann, "six", reply_to=session.get(Post, b1.id))
        a_self = write(session, first.id, w.ann, "seven eight",
                       reply_to=session.get(Post, a1.id))
        a_hidden = write(session, first.id, w.ann, "names a real person here")
        b_removed = write(session, first.id, w.ben, "taken back later")
        b_pending = write(session, first.id, w.ben, "still waiting for approval")
        a3 = write(session, second.id, w.ann, "nine ten")
        l1 = write(session, second.id, lee, "lee writes here")
        for minutes, post in enumerate((a1, b1, a2, a_self, a_hidden, b_removed, b_pending,
                                        a3, l1)):
            at(session, post, minutes * 60)
        session.get(Post, a_hidden.id).status = HIDDEN
        session.get(Post, b_removed.id).status = REMOVED
        pending = session.get(Post, b_pending.id)
        pending.status, pending.number = PENDING, None
        session.commit()
        groups.leave(session, member(session, w, lee))
        groups.leave(session, member(session, w, rae))
        return {"ann_alias": member(session, w, w.ann).pseudonym}


def test_figures_for_a_small_discussion(app, world, client_for):
    small_world(app, world)
    total = len(world.discussion.threads)
    page = table(client_for(world.fac).get(url(world)))
    rows = {r["Member"]: r for r in page.rows}
    assert set(rows) == {
        "Fay Facilitator not posted yet", "Mo Moderator not posted yet", "Ann Example",
        "Ben Other", "Lee Left former member", "Nia New not posted yet",
    }
    ann = rows["Ann Example"]
    assert ann == {
        "Member": "Ann Example", "Pseudonym": ann["Pseudonym"], "Role": "Participant",
        "Posts": "4", "Hidden": "1", "Words": "8", "Prompts answered": f"2 of {total}",
        "Replies given": "1", "Replies received": "1",
        # Shown in the facilitator's timezone (New York, five hours behind in March).
        "First activity": "3 Mar 2026, 05:00 EST", "Last activity": "3 Mar 2026, 12:00 EST",
    }
    ben = rows["Ben Other"]
    assert (ben["Posts"], ben["Hidden"], ben["Words"], ben["Prompts answered"],
            ben["Replies given"], ben["Replies received"], ben["First activity"],
            ben["Last activity"]) == ("1", "0", "2", f"1 of {total}", "1", "1",
                                      "3 Mar 2026, 06:00 EST", "3 Mar 2026, 06:00 EST")
    lee = rows["Lee Left former member"]
    assert (lee["Posts"], lee["Words"], lee["Prompts answered"]) == ("1", "3", f"1 of {total}")
    nia = rows["Nia New not posted yet"]
    assert (nia["Posts"], nia["Hidden"], nia["Words"], nia["Prompts answered"],
            nia["Replies given"], nia["Replies received"], nia["First activity"],
            nia["Last activity"]) == ("0", "0", "0", f"0 of {total}", "0", "0", "none", "none")
    text = page_text(client_for(world.fac).get(url(world)))
    assert "Rae Gone" not in text  # left without taking part
    assert "3</span> have not posted yet" in text


def test_posts_of_a_deleted_account_keep_their_own_row(app, world, client_for):
    small_world(app, world)
    with db(app) as session:
        accounts.delete_account(session, session.get(User, world.ben.id), PASSWORD)
    rows = {r["Member"]: r for r in table(client_for(world.fac).get(url(world))).rows}
    assert "Ben Other" not in rows
    gone = rows["Deleted member former member"]
    assert (gone["Posts"], gone["Words"], gone["Replies given"]) == ("1", "2", "1")
    # Ann still received Ben's reply, though nobody can be named for it.
    assert rows["Ann Example"]["Replies received"] == "1"


def test_pseudonymous_discussion_shows_real_name_beside_pseudonym(app, world, client_for):
    aliases = small_world(app, world, pseudonymous=True)
    for viewer in (world.fac, world.mod):
        rows = {r["Member"]: r for r in table(client_for(viewer).get(url(world))).rows}
        assert rows["Ann Example"]["Pseudonym"] == aliases["ann_alias"]


def test_who_may_see_it(app, world, client_for):
    small_world(app, world)
    discussion_page = f"/groups/{world.gid}/discussions/{world.discussion.id}"
    for viewer in (world.fac, world.mod):
        assert client_for(viewer).get(url(world)).status_code == 200
        assert "Participation</a>" in page_text(client_for(viewer).get(discussion_page))
    # Participants are members, so the page exists for them but is refused.
    assert client_for(world.ann).get(url(world)).status_code == 403
    assert "Participation</a>" not in page_text(client_for(world.ann).get(discussion_page))
    assert client_for(world.admin).get(url(world)).status_code == 403
    assert client_for(world.out).get(url(world)).status_code == 404
    assert client_for(None).get(url(world)).status_code == 404
    # Another group's discussion id under this group answers 404 as well.
    other = f"/groups/{world.gid}/discussions/{world.other_discussion.id}/participation"
    assert client_for(world.fac).get(other).status_code == 404


def names(page: _Table) -> list[str]:
    return [r["Member"].split(" not posted")[0].split(" former")[0] for r in page.rows]


def test_sorting_by_any_column(app, world, client_for):
    small_world(app, world)
    fac = client_for(world.fac)
    by_name = table(fac.get(url(world)))
    assert names(by_name) == ["Ann Example", "Ben Other", "Fay Facilitator", "Lee Left",
                              "Mo Moderator", "Nia New"]
    assert by_name.aria_sort == {"Member": "ascending"}
    # The sorted column's link turns the order round; the others start most-active first.
    assert by_name.links["Member"].endswith("sort=member&dir=desc")
    assert by_name.links["Words"].endswith("sort=words&dir=desc")

    by_words = table(fac.get(url(world, sort="words", dir="desc")))
    assert names(by_words)[:3] == ["Ann Example", "Lee Left", "Ben Other"]
    assert by_words.aria_sort == {"Words": "descending"}
    assert by_words.links["Words"].endswith("sort=words&dir=asc")
    assert names(table(fac.get(url(world, sort="words", dir="asc"))))[-3:] == [
        "Ben Other", "Lee Left", "Ann Example"]
    # Members with no activity come last either way.
    last = table(fac.get(url(world, sort="last", dir="asc")))
    assert names(last)[:3] == ["Ben Other", "Ann Example", "Lee Left"]
    assert last.rows[-1]["Last activity"] == "none"
    # Nonsense falls back to the default order rather than failing.
    assert names(table(fac.get(url(world, sort="password", dir="sideways")))) == names(by_name)


def test_csv_carries_the_same_columns_and_figures(app, world, client_for):
    small_world(app, world)
    fac = client_for(world.fac)
    page = table(fac.get(url(world)))
    response = fac.get(f"/groups/{world.gid}/discussions/{world.discussion.id}"
                       "/participation.csv")
    reader = list(csv.reader(io.StringIO(page_text(response))))
    total = len(world.discussion.threads)
    assert reader[0] == page.headings
    assert page.headings[6] == f"Prompts answered (of {total})"
    data = {r["Member"]: r for r in csv.DictReader(io.StringIO(page_text(response)))}
    assert set(data) == {"Fay Facilitator", "Mo Moderator", "Ann Example", "Ben Other",
                         "Lee Left (former member)", "Nia New"}
    for row in page.rows:
        name = names(_single(row))[0]
        exported = data[f"{name} (former member)" if "former member" in row["Member"]
                        else name]
        for column in ("Pseudonym", "Role", "Posts", "Hidden", "Words", "Replies given",
                       "Replies received"):
            assert exported[column] == row[column], (name, column)
        assert row["Prompts answered"] == (
            f"{exported[f'Prompts answered (of {total})']} of {total}")
    assert data["Ann Example"]["First activity"] == "2026-03-03T10:00:00Z"


def _single(row: dict) -> _Table:
    one = _Table()
    one.rows = [row]
    return one


def grow(session, w, members: int, posts: int) -> None:
    """More members, each posting, and many posts replying across prompts."""
    group = session.get(Group, w.gid)
    threads = session.get(Discussion, w.discussion.id).threads
    new = [make_user(session, f"Extra Member {i}") for i in range(members)]
    for user in new:
        add_member(session, group, user)
    authors = [*new, session.get(User, w.ann.id)]
    last_in: dict[int, Post] = {}
    for n in range(posts):
        thread_id = threads[n % 4].id
        last_in[thread_id] = write(session, thread_id, authors[n % len(authors)],
                                   f"post {n} words", reply_to=last_in.get(thread_id))


def test_query_count_does_not_grow_with_members_or_posts(app, world, client_for):
    small_world(app, world)
    client = client_for(world.fac)
    engine = app.extensions["casebook.engine"]

    def measure() -> int:
        with count_queries(engine) as statements:
            assert client.get(url(world, sort="words")).status_code == 200
        return len(statements)

    small = measure()
    with db(app) as session:
        grow(session, world, members=8, posts=60)
    big = measure()
    assert table(client.get(url(world))).rows[0]["Member"] == "Ann Example"
    assert len(table(client.get(url(world))).rows) == 6 + 8
    assert small == big, (small, big)
