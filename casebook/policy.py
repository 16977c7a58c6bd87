"""The one place that answers "may this user do this here?".

Views call these before acting and templates call them (as ``policy``) to
decide what to show, so a control is never offered that the server refuses.
Each function takes the user (possibly anonymous) first and answers with a
plain bool; views turn a refusal into 404 where existence itself is private.
"""

from flask_login import AnonymousUserMixin

from casebook.accounts.models import User

AnyUser = User | AnonymousUserMixin


def is_signed_in(user: AnyUser) -> bool:
    return bool(user.is_authenticated)


def is_site_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_admin)


def may_read_case_library(user: AnyUser) -> bool:
    # The library is published material written for teaching; reading it needs
    # no account, so an invited newcomer can preview a case before joining.
    return True


def may_manage_account(user: AnyUser, account: User) -> bool:
    return bool(user.is_authenticated and user.id == account.id)
