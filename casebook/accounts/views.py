import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from casebook.accounts import recovery, service
from casebook.accounts.export import personal_data
from casebook.accounts.forms import (
    FOLLOW_GROUPS,
    ChangePasswordForm,
    DeleteAccountForm,
    DisplayNameForm,
    EmailSettingsForm,
    ForgotPasswordForm,
    RegisterForm,
    ResetPasswordForm,
    SendVerificationForm,
    SignInForm,
    TimezoneForm,
)
from casebook.db import get_session, utcnow
from casebook.groups import service as groups
from casebook.groups.access import invitation_in_next
from casebook.limits import (
    data_download,
    invite_pages,
    password_reset,
    signin_per_account,
    signin_per_address,
    verification_mail,
)
from casebook.mail.service import smtp_configured
from casebook.notifications import service as notifications
from casebook.security import safe_next
from casebook.timefmt import zone_for

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _landing(user, next_target: str | None):
    """Where signing in or registering leads: ``next`` if safe, else My groups
    for a member of any group, else the home page."""
    if target := safe_next(next_target):
        return redirect(target)
    if groups.belongs_to_a_group(get_session(), user):
        return redirect(url_for("groups.my_groups"))
    return redirect(url_for("main.home"))


def _auth_page(template: str, form, status: int):
    """Sign-in or register, carrying ``next`` on both pages' links (and the header's),
    with the invitation box when ``next`` is a valid invite link."""
    next_target = safe_next(form.next.data) or ""
    return render_template(
        template, form=form, next_target=next_target,
        invitation=invitation_in_next(next_target),
    ), status


@bp.route("/register", methods=["GET", "POST"])
@signin_per_address
@invite_pages
def register():
    if current_user.is_authenticated:
        return _landing(current_user, request.args.get("next"))
    form = RegisterForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
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
            recovery.send_verification(get_session(), user)
            login_user(user)
            flash(f"Welcome, {user.display_name}. Your account is ready. We have sent a "
                  "link to your email address to confirm it.", "success")
            return _landing(user, form.next.data)
    return _auth_page("accounts/register.html", form, 422 if form.errors else 200)


@bp.route("/sign-in", methods=["GET", "POST"])
@signin_per_address
@signin_per_account
@invite_pages
def sign_in():
    form = SignInForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = service.authenticate(get_session(), form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(f"Signed in as {user.display_name}.", "success")
            return _landing(user, form.next.data)
        form.password.errors.append("That email and password do not match an account.")
    return _auth_page("accounts/sign_in.html", form, 422 if form.errors else 200)


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("main.home"))


def _account_page(password_form=None, delete_form=None, timezone_form=None, name_form=None,
                  email_form=None, status=200):
    return render_template(
        "accounts/account.html",
        name_form=name_form
        or DisplayNameForm(formdata=None, display_name=current_user.display_name),
        password_form=password_form or ChangePasswordForm(formdata=None),
        delete_form=delete_form or DeleteAccountForm(formdata=None),
        timezone_form=timezone_form
        or TimezoneForm(formdata=None, timezone=current_user.timezone),
        email_form=email_form or EmailSettingsForm(
            formdata=None,
            email_notifications=current_user.email_notifications or FOLLOW_GROUPS),
        smtp_configured=smtp_configured(),
    ), status


@bp.route("/")
@login_required
def account():
    return _account_page()


@bp.route("/data", methods=["POST"])
@login_required
@data_download
def download_data():
    """A POST, so the app-wide CSRF check stops another site making a signed-in
    browser fetch it (a GET would only need a link)."""
    document = personal_data(get_session(), current_user)
    day = utcnow().astimezone(zone_for(current_user)).date()
    response = Response(json.dumps(document, ensure_ascii=False, indent=2),
                        mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="casebook-my-data-{day.isoformat()}.json"')
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/display-name", methods=["POST"])
@login_required
def change_display_name():
    form = DisplayNameForm()
    if form.validate_on_submit():
        service.set_display_name(get_session(), current_user, form.display_name.data)
        flash(f"Your display name is now {current_user.display_name}.", "success")
        return redirect(url_for("accounts.account"))
    return _account_page(name_form=form, status=422)


@bp.route("/timezone", methods=["POST"])
@login_required
def change_timezone():
    form = TimezoneForm()
    if form.validate_on_submit():
        service.set_timezone(get_session(), current_user, form.timezone.data)
        flash(f"Times are now shown in {form.timezone.data.replace('_', ' ')}.", "success")
        return redirect(url_for("accounts.account"))
    return _account_page(timezone_form=form, status=422)


@bp.route("/email-settings", methods=["POST"])
@login_required
def change_email_settings():
    form = EmailSettingsForm()
    if form.validate_on_submit():
        choice = form.email_notifications.data
        notifications.set_email_setting(get_session(), current_user,
                                        None if choice == FOLLOW_GROUPS else choice)
        flash("Your email settings are saved.", "success")
        return redirect(url_for("accounts.account"))
    return _account_page(email_form=form, status=422)


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


@bp.route("/forgot-password", methods=["GET", "POST"])
@signin_per_address
@password_reset
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        recovery.request_reset(get_session(), form.email.data)
        # The same page whether or not an account has this address.
        return render_template("accounts/reset_requested.html", email=form.email.data.strip(),
                               minutes=recovery.RESET_MAX_AGE // 60,
                               smtp_configured=smtp_configured())
    return render_template("accounts/forgot_password.html", form=form,
                           smtp_configured=smtp_configured()), 422 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@signin_per_address
def reset_password(token: str):
    user = recovery.user_for_reset(get_session(), token)
    if user is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        recovery.reset_password(get_session(), user, form.new_password.data)
        logout_user()
        flash("Your password is changed. Sign in with your new password.", "success")
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset_password.html", form=form, token=token,
                           email=user.email), 422 if form.errors else 200


@bp.route("/verification", methods=["POST"])
@login_required
@verification_mail
def send_verification():
    if SendVerificationForm().validate_on_submit():
        recovery.send_verification(get_session(), current_user)
        flash(f"We have sent a confirmation link to {current_user.email}.", "success")
    return redirect(url_for("accounts.account"))


@bp.route("/verify/<token>")
def verify_email(token: str):
    """A GET, because it is a link in an email; repeating it changes nothing."""
    user = recovery.verify(get_session(), token)
    if user is None:
        return render_template("accounts/verify_invalid.html"), 404
    flash(f"Thank you: {user.email} is confirmed.", "success")
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    return redirect(url_for("accounts.sign_in"))
