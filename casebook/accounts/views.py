from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from casebook.accounts import service
from casebook.accounts.forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    RegisterForm,
    SignInForm,
    TimezoneForm,
)
from casebook.db import get_session
from casebook.extensions import limiter
from casebook.security import safe_next

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _signin_limit() -> str:
    return current_app.config["SIGNIN_RATE_LIMIT"]


def _submitted_email() -> str:
    # Limits guesses against one account from many addresses; keyed on the
    # normalised email whether or not it is registered, so it reveals nothing.
    return "signin-email:" + service.email_key(request.form.get("email", ""))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_signin_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = service.register(
                get_session(), email=form.email.data, display_name=form.display_name.data,
                password=form.password.data,
            )
        except service.EmailTaken:
            form.email.errors.append(
                "An account already uses this email address. Sign in instead."
            )
        else:
            login_user(user)
            flash(f"Welcome, {user.display_name}. Your account is ready.", "success")
            return redirect(url_for("main.home"))
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 422


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_signin_limit, methods=["POST"])
@limiter.limit(_signin_limit, methods=["POST"], key_func=_submitted_email)
def sign_in():
    form = SignInForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = service.authenticate(get_session(), form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(f"Signed in as {user.display_name}.", "success")
            return redirect(safe_next(form.next.data) or url_for("main.home"))
        form.password.errors.append("That email and password do not match an account.")
    status = 422 if form.errors else 200
    return render_template("accounts/sign_in.html", form=form), status


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("main.home"))


def _account_page(password_form=None, delete_form=None, timezone_form=None, status=200):
    return render_template(
        "accounts/account.html",
        password_form=password_form or ChangePasswordForm(formdata=None),
        delete_form=delete_form or DeleteAccountForm(formdata=None),
        timezone_form=timezone_form
        or TimezoneForm(formdata=None, timezone=current_user.timezone),
    ), status


@bp.route("/")
@login_required
def account():
    return _account_page()


@bp.route("/timezone", methods=["POST"])
@login_required
def change_timezone():
    form = TimezoneForm()
    if form.validate_on_submit():
        service.set_timezone(get_session(), current_user, form.timezone.data)
        flash(f"Times are now shown in {form.timezone.data.replace('_', ' ')}.", "success")
        return redirect(url_for("accounts.account"))
    return _account_page(timezone_form=form, status=422)


@bp.route("/password", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            service.change_password(
                get_session(), current_user, form.current_password.data, form.new_password.data
            )
        except service.WrongPassword:
            form.current_password.errors.append("That is not your current password.")
        else:
            # The session version changed, so sign this browser in again, renewing
            # its remember cookie (if it had one) so that it stays valid too.
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            login_user(current_user._get_current_object(),
                       remember=remembered in request.cookies)
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(url_for("accounts.account"))
    return _account_page(password_form=form, status=422)


@bp.route("/delete", methods=["POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            service.delete_account(get_session(), current_user, form.password.data)
        except service.WrongPassword:
            form.password.errors.append("That is not your password.")
        except service.StillNeeded as exc:
            names = ", ".join(f"“{name}”" for name in exc.group_names)
            form.understood.errors.append(
                f"You are the only facilitator of {names}. Make another member a "
                "facilitator on the group's Members page first, so the group keeps someone "
                "to run it."
            )
        else:
            logout_user()
            flash("Your account has been deleted.", "info")
            return redirect(url_for("main.home"))
    return _account_page(delete_form=form, status=422)
