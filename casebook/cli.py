"""Commands on ``casebook`` (and ``flask --app casebook``)."""

import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from casebook import demo, migrate
from casebook.accounts import service as accounts
from casebook.accounts.service import MIN_PASSWORD_LENGTH
from casebook.cases import service as cases
from casebook.cases.loader import CaseFileError, load_directory
from casebook.db import get_session
from casebook.demo import DEMO_PASSWORD
from casebook.mail import service as mail
from casebook.ops import backup as backups
from casebook.ops.check import check as check_database

DEMO_ACCOUNTS = (
    ("facilitator@demo.casebook", "Demo Facilitator"),
    ("participant@demo.casebook", "Demo Participant"),
)


@click.group("db", help="Database schema commands.")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Apply every pending migration.")
@with_appcontext
def db_upgrade() -> None:
    engine = current_app.extensions["casebook.engine"]
    migrate.upgrade(engine)
    click.echo(f"Database is at revision {migrate.current_revision(engine)}.")


@click.command("import-cases", help="Validate and import every case in DIR (all or nothing).")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@with_appcontext
def import_cases(directory: Path | None) -> None:
    folder = directory or Path(current_app.config["CASES_DIR"])
    try:
        data = load_directory(folder)
    except CaseFileError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException(
            f"{len(exc.problems)} problem(s) found; nothing was imported."
        ) from exc
    report = cases.import_cases(get_session(), data)
    click.echo(
        f"Imported {len(data)} case(s) from {folder}: {len(report.created)} new, "
        f"{len(report.updated)} updated, {len(report.unchanged)} unchanged."
    )
    for slug in report.not_in_folder:
        click.echo(f"note: '{slug}' is in the library but not in the folder; it was kept.")


def _password_option(prompt: str):
    return click.option(
        "--password", prompt=prompt, hide_input=True, confirmation_prompt=True,
        envvar="CASEBOOK_ADMIN_PASSWORD",
        help="Read from CASEBOOK_ADMIN_PASSWORD or asked for when not given.",
    )


@click.command("create-admin", help="Create a site administrator, or promote an account.")
@click.option("--email", prompt=True)
@click.option("--name", "display_name", default="Site administrator", show_default=True)
@_password_option("Password")
@with_appcontext
def create_admin(email: str, display_name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(f"use at least {MIN_PASSWORD_LENGTH} characters",
                                 param_hint="--password")
    user = accounts.create_admin(get_session(), email=email, display_name=display_name,
                                 password=password)
    click.echo(f"{user.email} is a site administrator.")


@click.command("seed-demo", help=(
    "Create the demo accounts for local use (never in production). With --scale, also "
    "seed a realistic dataset around them (scale 1: 600 users, 30 groups, 60 discussions, "
    "threads of up to 10,000 posts)."))
@click.option("--scale", type=click.FloatRange(min=0.001, max=100), default=None,
              help="Size of the demo dataset; 1 is what `make bench` measures.")
@with_appcontext
def seed_demo(scale: float | None) -> None:
    session = get_session()
    users = []
    for email, name in DEMO_ACCOUNTS:
        user = accounts.find_by_email(session, email)
        if user is None:
            user = accounts.register(session, email=email, display_name=name,
                                     password=DEMO_PASSWORD)
        users.append(user)
    if scale is not None:
        try:
            demo.seed(session, scale, users, progress=click.echo)
        except demo.AlreadySeeded:
            click.echo(f"The demo dataset is already here (group '{demo.BIG_GROUP}'); "
                       "nothing was added. Seed another scale into a fresh database.")
        except demo.NoCases as exc:
            raise click.ClickException(
                "The case library is empty; run `casebook import-cases` first.") from exc
        figures = demo.counts(session)
        click.echo(", ".join(f"{figure:,} {name}" for name, figure in figures.items()))
        click.echo("Demo members: member0001@demo.casebook and up (same password).")
    click.echo("Demo accounts (password for both: " + DEMO_PASSWORD + "):")
    for email, _ in DEMO_ACCOUNTS:
        click.echo(f"  {email}")


class _Progress:
    """Prints "NN% (done/total pages)" each time the copy passes another tenth."""

    def __init__(self, verb: str):
        self.verb = verb
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        tenth = done * 10 // total if total else 10
        if tenth != self.shown:
            self.shown = tenth
            click.echo(f"{self.verb}: {tenth * 10}% ({done}/{total} pages)")


def _engine():
    return current_app.extensions["casebook.engine"]


@click.command("backup", help="Write a consistent backup of the database to PATH, "
                              "safe while the server runs.")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@with_appcontext
def backup_command(path: Path) -> None:
    try:
        backups.backup(_engine(), path, click.echo, _Progress("Copied"))
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written to {path} ({path.stat().st_size} bytes).")


@click.command("restore", help="Restore the backup at PATH into this (empty) database.")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@with_appcontext
def restore_command(path: Path, force: bool) -> None:
    try:
        backups.restore(_engine(), path, click.echo, _Progress("Restored"), force=force)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {path}. Run 'casebook check' to confirm, then start the server.")


@click.command("check", help="Check the database's integrity and references; "
                             "exit 1 on any problem.")
@with_appcontext
def check_command() -> None:
    problems = check_database(_engine(), click.echo)
    if problems:
        for problem in problems:
            click.echo(f"problem: {problem}", err=True)
        raise click.ClickException(f"{len(problems)} problem(s) found.")
    click.echo("No problems found.")


@click.command("worker", help="Run the RQ worker that delivers email queued in Redis "
                             "(needs CASEBOOK_REDIS_URL).")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    if not current_app.config["REDIS_URL"]:
        raise click.ClickException(
            "CASEBOOK_REDIS_URL is not set: without Redis, email is sent by the web "
            "process itself and needs no worker.")
    from rq import SimpleWorker

    queue = mail.rq_queue(current_app)
    # SimpleWorker runs each job in this process, inside this app context.
    SimpleWorker([queue], connection=queue.connection).work(burst=burst)


@click.command("deliver-mail", help="Send again every email not sent yet (pending or "
                                    "failed); for cron where there is no Redis worker.")
@with_appcontext
def deliver_mail() -> None:
    sent, failing = mail.deliver_unsent(current_app._get_current_object())
    click.echo(f"{sent} sent, {failing} still failing.")
    if failing:
        raise SystemExit(1)


@click.command("notify-due", help="Tell members of discussions that open or close within "
                                  "a day; run it from cron (hourly). Warns each once.")
@with_appcontext
def notify_due_command() -> None:
    from casebook.notifications.service import notify_due

    click.echo(f"{notify_due(get_session())} notification(s) made.")


@click.command("send-digests", help="Email each member on a daily digest their unread "
                                    "notifications of the last day; run it once a day.")
@with_appcontext
def send_digests_command() -> None:
    from casebook.notifications.service import send_digests

    click.echo(f"{send_digests(get_session())} digest email(s) queued.")


def register_commands(app: Flask) -> None:
    for command in (db_group, import_cases, create_admin, seed_demo, backup_command,
                    restore_command, check_command, worker_command, deliver_mail,
                    notify_due_command, send_digests_command):
        app.cli.add_command(command)


def _create_app():
    from casebook import create_app

    return create_app()


def main() -> None:
    os.environ.setdefault("FLASK_APP", "casebook")
    FlaskGroup(create_app=_create_app, help="Casebook command line.")()
