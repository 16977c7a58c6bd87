"""Queueing and delivering email.

Callers may rely on: ``queue`` adds the message to the caller's transaction and
nothing is sent unless that transaction commits; after the commit each message
is handed to RQ (``CASEBOOK_REDIS_URL`` set; retried with back-off by the
worker, ``casebook worker``) or delivered in-process; without an SMTP host the
message is written to the server log instead. A message is marked ``sent`` once
the SMTP server accepted it, or ``failed`` with its attempts and last error;
``casebook deliver-mail`` sends again whatever is not sent.
"""

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from flask import Flask, current_app, has_request_context, render_template, request
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from casebook.db import utcnow
from casebook.mail.models import FAILED, PENDING, SENT, OutboxMessage

_QUEUED = "casebook.mail.queued"
QUEUE_NAME = "casebook-mail"
RETRY_INTERVALS = [10, 60, 300, 900, 3600]


def smtp_configured(app: Flask | None = None) -> bool:
    return bool((app or current_app).config["SMTP_HOST"])


def absolute_url(endpoint: str, **values) -> str:
    """A link for a message: CASEBOOK_BASE_URL, else the address the request came to."""
    base = current_app.config["BASE_URL"]
    if not base:
        base = request.host_url if has_request_context() else "http://localhost:5000/"
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base.rstrip("/") + path


def queue(session: Session, to: str, subject: str, template: str,
          headers: dict | None = None, **context) -> OutboxMessage:
    """Add a message rendered from ``templates/mail/<template>`` to the session's
    transaction; it is sent after the caller commits."""
    body = render_template(f"mail/{template}", **context)
    message = OutboxMessage(to_address=to, subject=subject, body=body,
                            headers=headers or {}, status=PENDING)
    session.add(message)
    session.flush()
    session.info.setdefault(_QUEUED, []).append(message.id)
    return message


def init_app(app: Flask) -> None:
    factory = app.extensions["casebook.sessionmaker"]

    @event.listens_for(factory, "after_commit")
    def _send_committed(session):
        ids = session.info.pop(_QUEUED, None)
        if ids:
            dispatch(app, ids)

    @event.listens_for(factory, "after_rollback")
    def _forget(session):
        session.info.pop(_QUEUED, None)


def dispatch(app: Flask, ids: list[int]) -> None:
    """Hand committed messages to RQ, or deliver them now when there is no Redis."""
    if app.config["REDIS_URL"]:
        try:
            _enqueue(app, ids)
            return
        except Exception:  # Redis away: the rows stay pending for deliver-mail
            app.logger.exception("could not queue %d message(s) in Redis", len(ids))
            return
    for message_id in ids:
        deliver(app, message_id)


def rq_queue(app: Flask):
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(app.config["REDIS_URL"])
    return Queue(app.config["RATELIMIT_KEY_PREFIX"] + QUEUE_NAME, connection=connection)


def _enqueue(app: Flask, ids: list[int]) -> None:
    from rq import Retry

    mail_queue = rq_queue(app)
    for message_id in ids:
        mail_queue.enqueue("casebook.mail.jobs.deliver", message_id,
                           retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS))


def deliver(app: Flask, message_id: int, *, raise_errors: bool = False) -> bool:
    """Send one outbox message unless it was sent already; True once sent.

    A failure is recorded on the row; with ``raise_errors`` (the RQ job) it is
    raised too, so RQ retries.
    """
    with app.extensions["casebook.sessionmaker"]() as session:
        message = session.get(OutboxMessage, message_id)
        if message is None or message.status == SENT:
            return message is not None
        message.attempts += 1
        try:
            _send(app, message)
        except (smtplib.SMTPException, OSError) as exc:
            message.status = FAILED
            message.last_error = f"{type(exc).__name__}: {exc}"[:500]
            session.commit()
            app.logger.warning("email %d to %s failed (attempt %d): %s", message.id,
                               message.to_address, message.attempts, message.last_error)
            if raise_errors:
                raise
            return False
        message.status = SENT
        message.sent_at = utcnow()
        message.last_error = None
        session.commit()
        return True


def deliver_unsent(app: Flask) -> tuple[int, int]:
    """Try every pending or failed message once more: (sent, still failing)."""
    with app.extensions["casebook.sessionmaker"]() as session:
        ids = list(session.scalars(select(OutboxMessage.id).where(
            OutboxMessage.status.in_((PENDING, FAILED))).order_by(OutboxMessage.id)))
    sent = sum(deliver(app, message_id) for message_id in ids)
    return sent, len(ids) - sent


def _send(app: Flask, message: OutboxMessage) -> None:
    config = app.config
    if not config["SMTP_HOST"]:
        # Development: the message (and the link in it) is read from the log.
        app.logger.warning("No SMTP server configured; email not sent.\nTo: %s\nSubject: %s\n\n%s",
                           message.to_address, message.subject, message.body)
        return
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2].strip(">")
                                     or None)
    for name, value in message.headers.items():
        email[name] = value
    email.set_content(message.body)
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=20) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
        smtp.send_message(email)
