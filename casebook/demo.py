"""A realistic demo dataset: ``casebook seed-demo --scale N``, for demos and ``make bench``.

At scale 1: 600 users, 30 groups (among them a "Lecture hall" of 500
members and a "Small seminar" of 10), 60 discussions, and in the Lecture
hall's first discussion threads of 5,000, 100, 1,000 and 10,000 posts; the
other threads get a seminar's worth of posts each (0 to 30). Other scales
shrink or grow the counts of users, groups, discussions, Lecture hall
members and big-thread posts (the tests seed at 1/100).

Rows go in with bulk inserts and every distinct post body is rendered
through the app's Markdown pipeline once, so scale 1 seeds in seconds. The
demo accounts become members of the Lecture hall and the Small seminar.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from casebook.accounts.models import User
from casebook.accounts.service import email_key, hash_password
from casebook.cases.models import Case
from casebook.cases.service import LIBRARY
from casebook.db import utcnow
from casebook.discussion.models import NAMED, PSEUDONYMOUS, PUBLISHED, Discussion, Post, Thread
from casebook.discussion.service import THREAD_TITLE_LENGTH, excerpt
from casebook.discussion.thread_reading import last_page
from casebook.groups.joining import new_join_code
from casebook.groups.models import FACILITATOR, MODERATOR, PARTICIPANT, Group, Membership
from casebook.markdown import count_words, render_markdown
from casebook.search.text import post_text

BIG_GROUP = "Lecture hall"
SMALL_GROUP = "Small seminar"
SMALL_GROUP_SIZE = 10
# Post counts of the Lecture hall's first four prompt threads, in prompt order.
BIG_THREADS = (5_000, 100, 1_000, 10_000)
DISTINCT_BODIES = 240
INSERT_CHUNK = 5_000
# Seeded users share the demo password and one hash of it: hashing 600
# passwords with argon2id would take longer than everything else together.
DEMO_PASSWORD = "casebook-demo"  # noqa: S105  # nosec B105

Progress = Callable[[str], None]


class AlreadySeeded(Exception):
    """The database already holds the demo dataset; nothing was added."""


class NoCases(Exception):
    """The case library is empty: discussions need cases."""


@dataclass(frozen=True)
class Shape:
    users: int
    groups: int
    discussions: int
    lecture_hall: int
    small_seminar: int
    big_threads: tuple[int, ...]
    typical_posts: tuple[int, int]  # least and most posts in other threads


def shape_for(scale: float) -> Shape:
    """The figures seeded at ``scale`` (1 is the size ``make bench`` measures)."""
    def scaled(figure: int, least: int) -> int:
        return max(least, round(figure * scale))

    users = scaled(600, 20)
    return Shape(
        users=users,
        groups=scaled(30, 3),
        discussions=scaled(60, 4),
        lecture_hall=min(users, scaled(500, 12)),
        small_seminar=SMALL_GROUP_SIZE,
        big_threads=tuple(scaled(size, 2) for size in BIG_THREADS),
        typical_posts=(0, 30),
    )


# Post bodies ------------------------------------------------------------------

_OPENINGS = (
    "I keep coming back to the question of who is accountable here.",
    "Reading the case again, the timeline matters more than I first thought.",
    "The strongest argument on the other side deserves a fair hearing.",
    "What struck me is how little the people most affected were asked.",
    "From a policing point of view the evidence question comes first.",
    "I changed my mind halfway through writing this answer.",
)
_MIDDLES = (
    "The report suggests that exposure deters some offenders, but it also puts trials at risk.",
    "A duty of care does not end where the legal duty ends.",
    "Consequences alone cannot settle it, because the harms fall on different people.",
    "Publicity may help, yet it can punish families who did nothing wrong.",
    "Proportionality asks whether a less intrusive step would have worked.",
    "Trust in the institution is itself something the decision can damage.",
    "The code of ethics asks officers to act with courage and with restraint.",
)
_EMPHASES = ("before", "who decides", "proportionate", "in public", "consent", "prevention")
_POINTS = (
    "the rights of the person accused",
    "the safety of children now and later",
    "what the evidence can and cannot show",
    "the effect on public trust",
    "who bears the cost of a mistake",
    "whether there was a less harmful option",
    "the role of the platform that hosted it",
    "how the decision would look in a year",
)
_LINKS = (
    ("the College of Policing code", "https://www.college.police.uk/ethics"),
    ("the Markkula framework", "https://www.scu.edu/ethics/ethics-resources/"),
    ("Stop It Now", "https://www.stopitnow.org.uk/"),
    ("the NSPCC guidance", "https://www.nspcc.org.uk/"),
)
_CLOSINGS = (
    "So my answer is a cautious yes, with conditions.",
    "I would decide differently if the evidence were stronger.",
    "Curious whether others weighed this the same way.",
    "On balance the harm of acting outweighs the harm of waiting.",
)


def _body(rng: random.Random) -> str:
    """About 80 words of Markdown with emphasis, a link and a list."""
    label, url = rng.choice(_LINKS)
    points = rng.sample(_POINTS, 3)
    return (
        f"{rng.choice(_OPENINGS)} {rng.choice(_MIDDLES)} The word that matters is "
        f"*{rng.choice(_EMPHASES)}*, and {rng.choice(_MIDDLES).lower()} "
        f"See [{label}]({url}).\n\n"
        "What I would weigh:\n\n"
        + "".join(f"- {point}\n" for point in points)
        + f"\n{rng.choice(_CLOSINGS)} **{rng.choice(_EMPHASES).capitalize()}** first."
    )


def body_pool(rng: random.Random) -> list[tuple[str, str, int]]:
    """(markdown, html, words) for each distinct body, each rendered once."""
    sources = list(dict.fromkeys(_body(rng) for _ in range(DISTINCT_BODIES * 2)))
    return [(md, render_markdown(md), count_words(md)) for md in sources[:DISTINCT_BODIES]]


# Seeding ------------------------------------------------------------------------

_FIRST = ("Aisha", "Ben", "Chloe", "Dev", "Ewa", "Femi", "Grace", "Hamza", "Iris", "Jonah",
          "Kemi", "Liam", "Mei", "Noor", "Owen", "Priya", "Quinn", "Rosa", "Sam", "Tariq")
_LAST = ("Adams", "Begum", "Clarke", "Dvořák", "Evans", "Fraser", "Gill", "Hughes", "Iqbal",
         "Jones", "Khan", "Lewis", "Murphy", "Nowak", "O'Neill", "Patel", "Reid", "Smith")
_KINDS = ("seminar", "police", "reading")


def member_email(number: int) -> str:
    return f"member{number:04d}@demo.casebook"


def is_seeded(session: Session) -> bool:
    return session.scalar(select(Group.id).where(Group.name == BIG_GROUP).limit(1)) is not None


def seed(session: Session, scale: float, demo_users: list[User],
         progress: Progress = lambda _message: None) -> Shape:
    """Add the demo dataset at ``scale``, with ``demo_users`` (facilitator first)
    in the Lecture hall and the Small seminar.

    Raises AlreadySeeded when the Lecture hall exists (nothing is added) and
    NoCases when no case is imported. Commits once at the end.
    """
    if is_seeded(session):
        raise AlreadySeeded(BIG_GROUP)
    cases = list(session.scalars(select(Case).where(LIBRARY).order_by(Case.slug)))
    if not cases:
        raise NoCases()
    started = time.monotonic()

    def report(message: str) -> None:
        progress(f"[{time.monotonic() - started:5.1f}s] {message}")

    # A seeded generator so every run builds the same dataset; nothing here is a secret.
    rng = random.Random(2026)  # nosec B311
    shape = shape_for(scale)
    now = utcnow()
    term_start = now - timedelta(days=80)

    bodies = body_pool(rng)
    report(f"rendered {len(bodies)} distinct post bodies")

    password_hash = hash_password(DEMO_PASSWORD)
    emails = [member_email(n) for n in range(1, shape.users + 1)]
    user_rows = [{
        "email": email, "email_key": email_key(email),
        "display_name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
        "password_hash": password_hash, "timezone": "Europe/London",
        "created_at": term_start - timedelta(days=7),
    } for email in emails]
    user_ids = list(session.scalars(
        insert(User).returning(User.id, sort_by_parameter_order=True), user_rows))
    report(f"{len(user_ids)} users")

    facilitator, participant = demo_users[0], demo_users[1]
    groups = _seed_groups(session, rng, shape, user_ids, facilitator, participant, term_start)
    report(f"{len(groups)} groups, {sum(len(m) for _, m in groups)} memberships")

    discussions = _seed_discussions(session, rng, shape, groups, cases, term_start)
    report(f"{len(discussions)} discussions, "
           f"{sum(len(d.threads) for d, _ in discussions)} threads")

    plan = _thread_plan(rng, shape, discussions)
    total = sum(count for _, _, count in plan)
    written = 0
    thread_updates = []
    for thread, members, count in plan:
        if count == 0:
            continue
        ids, last_at = _seed_posts(session, rng, thread, members, count, bodies, term_start, now)
        thread_updates.append({"id": thread.id, "last_number": count, "last_post_at": last_at})
        written += len(ids)
        if written // INSERT_CHUNK != (written - len(ids)) // INSERT_CHUNK or written == total:
            report(f"posts: {written:,} of {total:,}")
    if thread_updates:
        session.execute(update(Thread), thread_updates)
    session.commit()
    # The bulk update bypassed the loaded threads; read them afresh from now on.
    session.expire_all()
    report("done")
    return shape


def _seed_groups(session, rng, shape, user_ids, facilitator, participant, created_at):
    """[(group, [(user_id, role)])]: the Lecture hall, the Small seminar, then the rest."""
    specs = [
        (BIG_GROUP, "seminar", user_ids[:shape.lecture_hall - 2], True),
        (SMALL_GROUP, "seminar", user_ids[-(shape.small_seminar - 2):], True),
    ]
    for n in range(shape.groups - 2):
        size = min(len(user_ids), rng.randint(8, 40))
        specs.append((f"{rng.choice(('Ethics', 'Policing', 'Reading'))} group {n + 1}",
                      rng.choice(_KINDS), rng.sample(user_ids, size), False))
    codes: set[str] = set()
    groups = []
    for name, kind, members, with_demo in specs:
        code = new_join_code()
        while code in codes:
            code = new_join_code()
        codes.add(code)
        roles = []
        if with_demo:
            roles += [(facilitator.id, FACILITATOR), (participant.id, PARTICIPANT)]
        else:
            roles.append((members[0], FACILITATOR))
            members = members[1:]
        roles += [(user_id, MODERATOR if n < 2 else PARTICIPANT)
                  for n, user_id in enumerate(members)]
        description = f"Seeded demo group: {kind}, {len(roles)} members."
        group = Group(name=name, kind=kind, join_code=code, description_md=description,
                      description_html=render_markdown(description),
                      next_pseudonym=len(roles) + 1, created_at=created_at,
                      created_by_id=roles[0][0])
        session.add(group)
        groups.append((group, roles))
    session.flush()
    session.execute(insert(Membership), [
        {"group_id": group.id, "user_id": user_id, "role": role, "pseudonym_number": n,
         "joined_at": created_at}
        for group, roles in groups for n, (user_id, role) in enumerate(roles, start=1)
    ])
    return groups


def _seed_discussions(session, rng, shape, groups, cases, created_at):
    """[(discussion, [(user_id, role)])]: every group gets one, the rest go at random;
    the Lecture hall's first uses the case with the most prompts, for its big threads.

    Built here rather than with ``create_discussion``, which commits each one:
    the whole dataset goes in as one transaction, so a failed seed leaves nothing.
    """
    richest = max(cases, key=lambda case: sum(not p.retired for p in case.prompts))
    owners = list(range(len(groups)))
    owners += [rng.randrange(len(groups)) for _ in range(max(0, shape.discussions - len(groups)))]
    discussions = []
    for index, owner in enumerate(owners):
        group, roles = groups[owner]
        # The two named groups stay named and open to all, so every member sees
        # every post; the rest try each mode.
        plain = group.name in (BIG_GROUP, SMALL_GROUP)
        case = richest if index == 0 else rng.choice(cases)
        discussion = Discussion(
            group_id=group.id, case_id=case.id, title=f"{case.title} ({group.name})",
            identity=NAMED if plain or rng.random() < 0.6 else PSEUDONYMOUS,
            post_first=False if plain else rng.random() < 0.3,
            allow_member_threads=True, created_at=created_at, created_by_id=roles[0][0],
        )
        for order, prompt in enumerate(p for p in case.prompts if not p.retired):
            discussion.threads.append(Thread(
                prompt_id=prompt.id, title=excerpt(prompt.text_md, THREAD_TITLE_LENGTH),
                position=order, created_by_id=roles[0][0], created_at=created_at,
            ))
        session.add(discussion)
        discussions.append((discussion, roles))
    session.flush()
    return discussions


def _thread_plan(rng, shape, discussions):
    """[(thread, members, posts)], the big threads first."""
    plan = []
    for index, (discussion, roles) in enumerate(discussions):
        for position, thread in enumerate(discussion.threads):
            if index == 0 and position < len(shape.big_threads):
                count = shape.big_threads[position]
            else:
                count = rng.randint(*shape.typical_posts)
            plan.append((thread, roles, count))
    return plan


def _seed_posts(session, rng, thread, roles, count, bodies, since, until):
    """Insert ``count`` published posts into ``thread``, some of them replies;
    returns their ids and the last one's time."""
    step = (until - since) / (count + 1)
    ids: list[int] = []
    for first in range(0, count, INSERT_CHUNK):
        rows = []
        for number in range(first + 1, min(count, first + INSERT_CHUNK) + 1):
            author_id, role = rng.choice(roles)
            body_md, body_html, words = rng.choice(bodies)
            rows.append({
                "thread_id": thread.id, "author_id": author_id, "author_role": role,
                "number": number, "status": PUBLISHED, "body_md": body_md,
                "body_html": body_html, "search_text": post_text(body_html), "word_count": words,
                "created_at": since + step * number,
            })
        ids += session.scalars(
            insert(Post).returning(Post.id, sort_by_parameter_order=True), rows).all()
    replies = [{"id": post_id, "reply_to_id": ids[rng.randrange(n)]}
               for n, post_id in enumerate(ids) if n and rng.random() < 0.15]
    if replies:
        session.execute(update(Post), replies)
    return ids, since + step * count


# Where the bench (and a demo) goes -----------------------------------------------

def landmarks(session: Session) -> dict[str, str]:
    """Paths of the pages ``make bench`` measures, found in a seeded database."""
    big = session.scalar(select(Group).where(Group.name == BIG_GROUP))
    small = session.scalar(select(Group).where(Group.name == SMALL_GROUP))
    if big is None or small is None:
        raise LookupError("the demo dataset is not seeded (casebook seed-demo --scale 1)")
    first = session.scalar(select(Discussion).where(Discussion.group_id == big.id)
                           .order_by(Discussion.id).limit(1))
    threads = list(session.scalars(
        select(Thread).where(Thread.discussion_id == first.id)
        .order_by(Thread.position, Thread.id).limit(len(BIG_THREADS))))
    reply_thread = session.scalar(
        select(Thread).join(Discussion, Thread.discussion_id == Discussion.id)
        .where(Discussion.group_id == small.id).order_by(Thread.id).limit(1))
    case_slug = session.scalar(select(Case.slug).where(Case.id == first.case_id))
    by_size = dict(zip(BIG_THREADS, threads, strict=True))
    paths = {
        "case_library": "/cases/",
        "case_page": f"/cases/{case_slug}",
        "group_10": f"/groups/{small.id}",
        "group_500": f"/groups/{big.id}",
        "discussion": f"/groups/{big.id}/discussions/{first.id}",
    }
    for size in (100, 1_000, 5_000, 10_000):
        paths[f"thread_{size}"] = f"/groups/{big.id}/threads/{by_size[size].id}"
    last = last_page(by_size[5_000])
    paths["thread_5000_last"] = f"/groups/{big.id}/threads/{by_size[5_000].id}?page={last}"
    paths["activity"] = f"/groups/{big.id}/activity"
    paths["reply"] = f"/groups/{small.id}/threads/{reply_thread.id}"
    return paths


def counts(session: Session) -> dict[str, int]:
    """Row counts a reader can compare with ``shape_for``."""
    return {
        "users": session.scalar(select(func.count()).select_from(User)),
        "groups": session.scalar(select(func.count()).select_from(Group)),
        "discussions": session.scalar(select(func.count()).select_from(Discussion)),
        "posts": session.scalar(select(func.count()).select_from(Post)),
    }
