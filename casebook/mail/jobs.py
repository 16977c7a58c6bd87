"""What the RQ worker runs; the worker (``casebook worker``) provides the app context."""

from flask import current_app


def deliver(message_id: int) -> None:
    from casebook.mail.service import deliver as deliver_now

    # Raising lets RQ retry on its schedule; the row records each attempt.
    deliver_now(current_app._get_current_object(), message_id, raise_errors=True)
