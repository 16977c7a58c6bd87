"""Rate limits on what one person could repeat to harm others or guess secrets.

Each limit reads its value from the app config (``*_RATE_LIMIT``, set from
``CASEBOOK_*`` variables) when a request arrives, so tests and deployments
choose their own. Signed-in actions count per account, not per address: a
lecture hall behind one university NAT must not share one budget. Counters
live in Redis when ``CASEBOOK_REDIS_URL`` is set, so every worker and every
app server sees the same count.
"""

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from casebook.accounts import service as accounts
from casebook.extensions import limiter
from casebook.groups.access import invite_code_in_next


def _config(name: str):
    return lambda: current_app.config[name]


def member_key() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{get_remote_address()}"


def address_and_email_key() -> str:
    # The pair, never the email alone: a stranger's failures from elsewhere
    # must not lock the member out of their own account.
    return f"{get_remote_address()}|{accounts.email_key(request.form.get('email', ''))}"


def _stored(response) -> bool:
    # A redirect means a post was stored or changed; previews and forms sent
    # back with errors cost nothing.
    return response.status_code in (302, 303)


def _next_is_no_invite_link() -> bool:
    return invite_code_in_next(request.args.get("next")) is None


signin_per_address = limiter.limit(
    _config("SIGNIN_RATE_LIMIT"), methods=["POST"],
    error_message="There have been too many sign-in attempts from your network.",
)
signin_per_account = limiter.limit(
    _config("SIGNIN_ACCOUNT_RATE_LIMIT"), methods=["POST"], key_func=address_and_email_key,
    error_message="There have been too many attempts to sign in to this account.",
)

# Each request may send an email to the address given, so it is counted per
# address and email pair as well as per address (signin_per_address).
password_reset = limiter.limit(
    _config("PASSWORD_RESET_RATE_LIMIT"), methods=["POST"], key_func=address_and_email_key,
    error_message="There have been too many password reset requests for this address.",
)
verification_mail = limiter.limit(
    _config("PASSWORD_RESET_RATE_LIMIT"), methods=["POST"], key_func=member_key,
    error_message="You have asked for several verification emails in a short time.",
)

posting = limiter.shared_limit(
    _config("POST_RATE_LIMIT"), scope="posting", key_func=member_key, methods=["POST"],
    deduct_when=_stored,
    error_message="You have posted or edited a lot in a short time. Nothing was saved: "
                  "your browser's Back button returns to what you wrote.",
)
reporting = limiter.shared_limit(
    _config("REPORT_RATE_LIMIT"), scope="reporting", key_func=member_key, methods=["POST"],
    error_message="You have sent a lot of reports in a short time.",
)
exports = limiter.shared_limit(
    _config("EXPORT_RATE_LIMIT"), scope="exports", key_func=member_key,
    error_message="You have downloaded a lot of exports in a short time.",
)

# Per account, not per address: the download is heavy and only ever the owner's.
data_download = limiter.limit(
    _config("DATA_DOWNLOAD_RATE_LIMIT"), key_func=member_key, methods=["POST"],
    error_message="You have downloaded your data several times in the last hour.",
)

# Every way of trying a join code shares one budget, so spreading guesses over
# the join form, the invite link and the sign-in page's invitation box gains
# nothing.
_JOIN_MESSAGE = "You have tried a lot of join codes in a short time."
join_code = limiter.shared_limit(
    _config("JOIN_RATE_LIMIT"), scope="join-code", key_func=member_key,
    error_message=_JOIN_MESSAGE,
)
# The join form's page is not a guess; only sending it is.
join_code_posts = limiter.shared_limit(
    _config("JOIN_RATE_LIMIT"), scope="join-code", key_func=member_key, methods=["POST"],
    error_message=_JOIN_MESSAGE,
)
# Signed out, the sign-in and register pages name the group an invite link in
# ``next`` opens; counted per address like any signed-out visitor.
invite_pages = limiter.shared_limit(
    _config("INVITE_PAGE_RATE_LIMIT"), scope="invite-page", methods=["GET"],
    exempt_when=_next_is_no_invite_link, error_message=_JOIN_MESSAGE,
)
