from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from lms.auth import services, throttling
from lms.auth.forms import LoginForm, PasswordForm
from lms.core.forms import show_service_errors
from lms.core.i18n import _
from lms.core.models import ValidationError
from lms.core.security import login_required, public, safe_next_url
from lms.core.throttle import throttled

bp = Blueprint("auth", __name__)


def _renew_session(**values) -> None:
    """Start a fresh session (nothing from before survives) that keeps only the language chosen."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session.update(values)


@bp.route("/login", methods=["GET", "POST"])
@public
@throttled(throttling.SIGN_IN_SCOPE, "LMS_SIGN_IN_LIMITS", key=throttling.sign_in_attempt_key)
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    default_next = url_for("progress.dashboard")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(default_next)
    if form.validate_on_submit():
        throttling.refuse_while_failing(form.identifier.data)
        try:
            user = services.authenticate(form.identifier.data, form.password.data)
        except services.OneTimePasswordExpired as expired:
            flash(expired.message(), "error")
            return render_template("auth/login.html", form=form)
        if user is None:
            throttling.count_failure(form.identifier.data)
            # One message for every failure: unknown name, wrong password, inactive account.
            flash(_("The username or password is not correct."), "error")
        else:
            lifetime = timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"])
            _renew_session(sid=services.start_login_session(user, lifetime))
            session.permanent = True
            login_user(user)
            return redirect(safe_next_url(form.next.data, default_next))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@public
def logout():
    # CSRFProtect has already checked the token of this POST.
    services.end_login_session(session.get("sid"))
    logout_user()
    _renew_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if current_user.one_time_password_expires_at is not None:  # a new account, or one HR gave a new password to
        form.current.label.text = _("One-time password")
    if form.validate_on_submit():
        try:
            changed = services.change_password(current_user, form.current.data, form.new.data, session.get("sid"))
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            if changed:
                flash(_("Your password has been changed. Other devices have been signed out."), "success")
                return redirect(url_for("progress.dashboard"))
            form.current.errors = [*form.current.errors, _("The current password is not correct.")]
    return render_template("auth/password.html", form=form, why=_why_change() if current_user.must_change_password
                           else None)


def _why_change() -> str:
    if current_user.one_time_password_expires_at is not None:
        return _("Choose your own password to continue.")
    # A password set before the current rules (lms.core.passwords), found weak at sign-in.
    return _("Your password no longer meets the rules: choose a new one to continue.")
