"""Optional accounts: keep several attempts, compare them. Nothing else needs an account.

Signing up asks only for the e-mail address and never tells whether it is registered: every valid signup gets
the same page ("check your inbox") and sends one e-mail to the address. A new address gets an inactive account
without a password and a link to confirm it; a registered one gets a note that it already has an account and
can log in. Only the owner of the mailbox learns which it was. The link opens a page where the password is
chosen (mail scanners fetch links, so a GET never activates anything); posting it sets the password, activates
the account, logs in, and keeps the result the signup started from. So no signup sets a password, and nobody
who signs up with someone else's address can decide the password of the account that address opens.

A forgotten password is reset the same way, with Django's own views: the form asks for the address and answers
"check your inbox" whatever it is, and sends one e-mail: a one-time link to choose a new password when the address
has an account that logs in with one, else a note that it has none. Choosing the password logs in.

An account is deleted by its owner (Art. 17 GDPR) after the current password, with everything kept in it and the
records of its logins. The password is checked through `authenticate`, so django-axes counts a wrong one as a failed
login of that account and locks it out after as many as the login form allows.
"""

from __future__ import annotations

import logging
from datetime import datetime
from smtplib import SMTPException
from urllib.parse import urlsplit

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm, SetPasswordMixin
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from assessment.models import Assessment
from assessment.services import claim_attempt
from assessment.views import SESSION_KEY
from core.auth_forms import LoginNameLimit
from core.http import AuthenticatedHttpRequest
from core.legal import link_days
from core.ratelimit import rate_limited

User = get_user_model()
log = logging.getLogger(__name__)
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class EmailLoginForm(LoginNameLimit, AuthenticationForm):
    """Logs in with the e-mail address however it is capitalised: accounts store it in lower case."""

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class EmailAddressForm(forms.Form):
    """An account's e-mail address, which doubles as its user name, however it is capitalised."""

    email: forms.Field = forms.EmailField(  # as PasswordResetForm declares it, for the form that extends both
        label=gettext_lazy("E-mail address"),
        max_length=150,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class SignupForm(EmailAddressForm):
    """Only the e-mail address. Whether it is registered is not the form's business: the answer must not depend
    on it. The password is chosen on the confirmation page."""


class NewPasswordForm(SetPasswordForm):
    """The password, twice, checked by AUTH_PASSWORD_VALIDATORS against the account. A password the validators
    refuse ("too common") is the password's fault, so their messages go to the password field, where a person
    looks for them (Django's form puts them on the confirmation); only a mismatch is the confirmation's."""

    def clean(self) -> dict:
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return self.cleaned_data


class ChoosePasswordForm(NewPasswordForm):
    """The first password of the account, so labelled "Password" rather than Django's "New password"."""

    new_password1, new_password2 = SetPasswordMixin.create_password_fields()


class AccountDeletionForm(forms.Form):
    """The current password of the logged-in account, before it is deleted. Checked by `authenticate` with the
    request, so a wrong one is a failed login for django-axes (its lockout of this account from this address)
    and for the failed-login limit per client (core.ratelimit.count_login_failure)."""

    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request: AuthenticatedHttpRequest, *args, **kwargs) -> None:
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        account = self.request.user
        checked = authenticate(self.request, username=account.get_username(), password=password)
        if checked is None or checked.pk != account.pk:
            raise ValidationError(_("This is not the password of your account."), code="password_incorrect")
        return password


class PasswordResetRequestForm(EmailAddressForm, PasswordResetForm):
    """The address of the account whose password was forgotten."""

    def get_users(self, email: str):
        """Django's rule (active, with a usable password), for the accounts whose user name is this address:
        the ones people sign up for. An admin's account, named otherwise, is not reset through this form."""
        return (user for user in super().get_users(email) if user.username.lower() == email.lower())


def is_pending_signup(user) -> bool:
    """An account a signup made that nobody has confirmed: inactive, never logged in, no password yet, no admin's.
    Anything else with that address is registered, including an account an admin deactivated: a signup never
    reopens it. `pending_signups` is the same rule as a query."""
    return (
        not user.is_active
        and not (user.is_staff or user.is_superuser)
        and user.last_login is None
        and not user.has_usable_password()
    )


def pending_signups(joined_before: datetime):
    """The accounts `is_pending_signup` tells apart whose last confirmation link was sent before `joined_before`
    (each signup of a pending account moves `date_joined` to its new link)."""
    return get_user_model().objects.filter(
        is_active=False,
        is_staff=False,
        is_superuser=False,
        last_login__isnull=True,
        password__startswith=UNUSABLE_PASSWORD_PREFIX,
        date_joined__lt=joined_before,
    )


class SignupConfirmationTokens(PasswordResetTokenGenerator):
    """The token in a confirmation link. Valid for PASSWORD_RESET_TIMEOUT (3 days, config/settings.py), and only
    while the account is pending: confirming sets the password, activates the account and logs in, each of which
    ends every link sent for it. Its own salt, so no other kind of token (a password reset's) is taken for it."""

    key_salt = "revierpfad.accounts.SignupConfirmationTokens"

    def _make_hash_value(self, user, timestamp: int) -> str:
        last_login = "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None)
        return f"{user.pk}{user.password}{user.is_active}{last_login}{user.email}{timestamp}"


confirmation_tokens = SignupConfirmationTokens()


def safe_next(request: HttpRequest, target: str | None) -> str:
    """The `next` address if it is a path on this site ("/..."); else "". A bare word would be taken for a
    view name by `redirect`, and anything with another host or scheme leads off the site."""
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return ""


def _next_page(request: HttpRequest) -> str:
    """Where to go once the account is ready or the new password is set, from the form or the link; "" when that
    is not a path on this site."""
    return safe_next(request, request.POST.get("next") or request.GET.get("next"))


def _next_and_keep(request: HttpRequest) -> tuple[str, str]:
    """Where to go after the account is ready, and the result to keep in it (a token), from the form or its page."""
    keep = (request.POST.get("keep") or request.GET.get("keep") or "")[:64]
    return _next_page(request), keep


# Where to go once a mailed link has been used, and the attempt to keep then: kept in the session of the browser
# that asked for the mail, never in the mail. A page to go on to is often an attempt's result page, whose address is
# the key to it; an address mistyped in the form would hand that key, with the answers, to the mailbox's owner.
AFTER_LINK = "after_link"


def remember_after_link(request: HttpRequest, next_page: str, keep: str = "") -> None:
    if next_page or keep:
        request.session[AFTER_LINK] = {"next": next_page, "keep": keep}
    else:
        request.session.pop(AFTER_LINK, None)


def after_link(request: HttpRequest) -> tuple[str, str]:
    """The page to go on to and the attempt to keep that this browser asked for with the mail; ("", "") when the
    link is opened in another browser."""
    remembered = request.session.get(AFTER_LINK) or {}
    return safe_next(request, remembered.get("next")), str(remembered.get("keep", ""))[:64]


def start_signup(request: HttpRequest, email: str) -> None:
    """Send the one e-mail a valid signup sends: a confirmation link for a new or still pending address, a note
    that the account exists for a registered one. No branch hashes or stores a password, and a pending account
    is left as it is: a new link joins the older ones, each good until one of them is used or it expires."""
    user = _account_for_signup(email)
    # To the account's own address, never to the one typed: a lookup that ignores case folds "ſam@x.de" into
    # "sam@x.de" (as CVE-2019-19844 did for Django's password reset), and a link sent there would open sam's account.
    if is_pending_signup(user):
        confirm_url = _confirmation_url(request, user)
        _send_mail(request, "confirm_email", user.email, {"confirm_url": confirm_url})
    else:
        login_url = request.build_absolute_uri(reverse("login"))
        _send_mail(request, "account_exists_email", user.email, {"login_url": login_url})


def _account_for_signup(email: str):
    """The account with this address; a new one, inactive and without a password, when there is none. Every
    branch writes one row and commits, so the time a signup takes does not tell a new address from a known one."""
    user = User.objects.filter(username__iexact=email).first()
    try:
        with transaction.atomic():
            if user is None:
                user = User(username=email, email=email, is_active=False)
                user.set_unusable_password()  # a random marker, no hashing
                user.save()
            elif is_pending_signup(user):  # a new link: the account is kept until this one expires (purge_signups)
                User.objects.filter(pk=user.pk).update(date_joined=timezone.now())
            else:  # the write a new account costs, changing nothing (PostgreSQL writes it; SQLite skips it)
                User.objects.filter(pk=user.pk).update(email=F("email"))
    except IntegrityError:  # a parallel signup for the same address made the account meanwhile
        user = User.objects.get(username=email)
    return user


def _confirmation_url(request: HttpRequest, user) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return request.build_absolute_uri(reverse("confirm-signup", args=[uidb64, confirmation_tokens.make_token(user)]))


def start_password_reset(request: HttpRequest, email: str) -> None:
    """Send the one e-mail a valid reset request sends: a one-time link to choose a new password when the
    address has an account that logs in with a password, else a note that it has none and how to sign up.
    Neither branch writes anything, so neither the page nor the time it takes tells which it was."""
    account = next(iter(PasswordResetRequestForm().get_users(email)), None)
    if account is None:
        signup_url = request.build_absolute_uri(reverse("signup"))
        _send_mail(request, "password_reset_no_account_email", email, {"signup_url": signup_url})
    else:
        uidb64 = urlsafe_base64_encode(force_bytes(account.pk))
        path = reverse("password_reset_confirm", args=[uidb64, default_token_generator.make_token(account)])
        # to the account's own address, never to the one typed (see start_signup)
        _send_mail(request, "password_reset_email", account.email, {"reset_url": request.build_absolute_uri(path)})


def _send_mail(request: HttpRequest, template: str, to: str, context: dict) -> None:
    """A plain-text mail from registration/<template>.txt and its _subject.txt, in the active language."""
    context = {**context, "site_url": request.build_absolute_uri("/"), "email": to, "link_days": link_days()}
    subject = " ".join(render_to_string(f"registration/{template}_subject.txt", context).split())
    body = render_to_string(f"registration/{template}.txt", context)
    EmailMessage(subject, body, to=[to]).send()


def user_for_link(uidb64: str, token: str):
    """The pending account a confirmation link is for, or None when the link is forged, used or expired."""
    try:
        user = User.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()))
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError, ValidationError, User.DoesNotExist):
        return None
    if not is_pending_signup(user) or not confirmation_tokens.check_token(user, token):
        return None
    return user


def confirm_account(user, password: str) -> bool:
    """Give a pending account its first password and activate it; False when a parallel confirmation of the
    same account came first (then that one's password stands and this link is used up)."""
    pending_marker = user.password
    user.set_password(password)
    user.is_active = True
    return bool(
        User.objects.filter(pk=user.pk, password=pending_marker, is_active=False, last_login__isnull=True).update(
            password=user.password, is_active=True
        )
    )


# An attempt with a result to keep: finished, or reopened by "Ergebnis schärfen" (in another tab, say), which was
# finished and is again at its last questions (the keep button of its result page answered "not found").
KEEPABLE = Q(finished_at__isnull=False) | Q(sharpen_until__isnull=False)


def keep_result(user, token: str) -> bool:
    """Put an attempt with a result (`KEEPABLE`) that nobody keeps yet into the account, with its number there; False
    when there is none by that token."""
    kept = Assessment.objects.filter(KEEPABLE, token=token, user__isnull=True).first() if token else None
    return kept is not None and claim_attempt(user, kept)


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("signup")
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST if request.method == "POST" else None)
    next_page, keep = _next_and_keep(request)
    context = {"form": form, "next": next_page, "keep": keep}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "registration/signup.html", context, status=400)
        try:
            start_signup(request, form.cleaned_data["email"])
        except (SMTPException, OSError) as exc:  # the same for a new and a registered address
            log.error("signup mail not sent: %s", type(exc).__name__)  # its text may name the address
            return render(request, "registration/signup_mail_failed.html", status=503)
        remember_after_link(request, next_page, keep)
        context = {"email": form.cleaned_data["email"], "keeping": bool(keep)}
        return render(request, "registration/signup_done.html", context)
    return render(request, "registration/signup.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm_signup(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link in the confirmation mail: GET asks for the password; a valid POST sets it, activates the account
    and logs in. A refused password changes nothing, so the same link can be tried again."""
    user = user_for_link(uidb64, token)
    if user is None:
        return render(request, "registration/confirm_invalid.html", status=400)
    next_page, keep = after_link(request)  # only in the browser that signed up
    form = ChoosePasswordForm(user, request.POST if request.method == "POST" else None)
    context = {"form": form, "email": user.email, "next": next_page, "keep": keep}
    if request.method in ("GET", "HEAD"):
        return render(request, "registration/confirm_signup.html", context)
    if not form.is_valid():
        return render(request, "registration/confirm_signup.html", context, status=400)
    if not confirm_account(user, form.cleaned_data["new_password1"]):
        return render(request, "registration/confirm_invalid.html", status=400)
    request.session.pop(AFTER_LINK, None)
    login(request, user, backend=MODEL_BACKEND)
    if keep_result(user, keep):
        messages.success(request, _("Your account is ready, and this attempt is kept in it."))
    else:
        messages.success(request, _("Your account is ready. Attempts you keep appear here."))
    return redirect(next_page or "my-results")


class Login(auth_views.LoginView):
    """Django's login with the e-mail address as the user name; a refused login gets a 400, as every other form
    of the site does (Django answers 200)."""

    redirect_authenticated_user = True
    authentication_form = EmailLoginForm

    def get_redirect_url(self) -> str:
        """The `next` address, unless it is this login page itself: a logged-in person sent there would be led round
        in a circle (Django refuses it with an error, a 500); the default page instead."""
        target = super().get_redirect_url()
        return "" if target and urlsplit(target).path == self.request.path else target

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class Logout(auth_views.LogoutView):
    """Django's logout, saying it happened (the start page it leads to looks the same otherwise)."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        was_logged_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_logged_in:
            messages.success(request, _("You are logged out."))
        return response


class RequestPasswordReset(auth_views.PasswordResetView):
    """The "forgot your password?" form: the address only, and for every valid one the same "look in your inbox"
    page (Django's) and one e-mail (`start_password_reset`). Refused input gets a 400, as the signup does."""

    form_class = PasswordResetRequestForm
    template_name = "registration/password_reset_form.html"

    def get_context_data(self, **kwargs) -> dict:
        return {**super().get_context_data(**kwargs), "next": _next_page(self.request)}

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def form_valid(self, form) -> HttpResponse:
        try:
            start_password_reset(self.request, form.cleaned_data["email"])
        except (SMTPException, OSError) as exc:  # the same for an address with and without an account
            log.error("password reset mail not sent: %s", type(exc).__name__)  # its text may name the address
            return render(self.request, "registration/password_reset_mail_failed.html", status=503)
        remember_after_link(self.request, _next_page(self.request))
        return HttpResponseRedirect(self.get_success_url())


request_password_reset = rate_limited("password_reset")(RequestPasswordReset.as_view())


class ChooseNewPassword(auth_views.PasswordResetConfirmView):
    """The link in the reset mail (Django's view: it moves the token into the session and the link to a
    ".../set-password/" address, so the token never reaches a Referer). Choosing the password ends the link and
    logs in; then on to the page the reset was asked from (in that browser), or to "My results". A link that does
    not work gets a 400 page."""

    form_class = NewPasswordForm
    template_name = "registration/password_reset_confirm.html"
    post_reset_login = True
    post_reset_login_backend = MODEL_BACKEND

    def get_user(self, uidb64: str):
        """The account, only while it can log in with a password: a link sent before an admin closed the
        account opens nothing."""
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active and user.has_usable_password() else None

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        if self.validlink:
            context["email"] = self.user.email
        return context

    def render_to_response(self, context: dict, **kwargs) -> HttpResponse:
        if not self.validlink:
            return render(self.request, "registration/password_reset_invalid.html", status=400)
        return super().render_to_response(context, **kwargs)

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)  # saves the password, which ends the link, and logs in
        messages.success(self.request, _("Your new password is saved, and you are logged in."))
        return response

    def get_success_url(self) -> str:
        next_page, _keep = after_link(self.request)
        self.request.session.pop(AFTER_LINK, None)
        return next_page or reverse("my-results")


def forget_account(user) -> None:
    """Delete an account with everything kept in it: its attempts with their answers, results and share links
    (cascading from the account), the feedback given on them (`recommendations.models.forget_feedback`, on each
    attempt's deletion), and django-axes' records of logins with its user name, however it was capitalised."""
    username = user.get_username()
    with transaction.atomic():
        for records in (AccessAttempt, AccessLog, AccessFailureLog):
            records.objects.filter(username__iexact=username).delete()
        user.delete()


def owner_may_delete(user) -> bool:
    """Whether the account may be deleted by its owner: not an admin's, which another admin deletes in the admin
    (so that no slip, nor anyone at an admin's unlocked screen, removes an account that runs the site)."""
    return not (user.is_staff or user.is_superuser)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def delete_account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Delete one's own account and everything kept in it, after the current password; then log out."""
    if not owner_may_delete(request.user):
        return render(request, "registration/delete_account_refused.html", status=403)
    form = AccountDeletionForm(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        forget_account(request.user)
        logout(request)  # flushes the session, with whatever attempt it still pointed to
        messages.success(request, _("Your account and all the results kept in it have been deleted."))
        return redirect("assessment:home")
    context = {"form": form, "attempt_count": request.user.assessments.count()}
    status = 400 if request.method == "POST" else 200  # a refused password, as the other account forms answer
    return render(request, "registration/delete_account.html", context, status=status)


@require_POST
@rate_limited("results", back_to=lambda token: reverse("results", args=[token]) + "#keep-heading", resend=True)
def keep_in_account(request: HttpRequest, token: str) -> HttpResponse:
    """Keep a finished attempt in the account logged in. Logged out (the session expired on the results page), the
    login leads back to the results' keep section, not to this address, which a browser would then ask with GET
    (a 405: nothing was kept). Claimed in one statement, so that of two accounts claiming it at once one wins."""
    results = reverse("results", args=[token])
    if not request.user.is_authenticated:
        return redirect_to_login(f"{results}#keep-heading")
    assessment = get_object_or_404(Assessment.objects.filter(KEEPABLE), token=token)
    # not claimed: someone's already, perhaps this account's from another tab a moment ago (read again: the row read
    # above may be from before that tab's claim)
    if not claim_attempt(request.user, assessment) and not request.user.assessments.filter(pk=assessment.pk).exists():
        raise PermissionDenied
    messages.success(request, _("This attempt is now kept in your account."))
    return redirect(results)


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("results", back_to="results", resend=True)  # a post of the results page, as keeping it
def delete_results(request: HttpRequest, token: str) -> HttpResponse:
    """Really delete an assessment and all its answers (after a confirmation). One kept in an account only by its
    owner, logged in: the results link alone deleted it from the owner's "My results", logged out or in another's
    account."""
    assessment = get_object_or_404(Assessment, token=token)
    if assessment.user_id is not None and assessment.user_id != request.user.pk:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    if request.method == "POST":
        # kept in the account logged in: back to the attempts left there, not to the start page
        in_my_account = request.user.is_authenticated and assessment.user_id == request.user.pk
        assessment.delete()
        if request.session.get(SESSION_KEY) == token:
            del request.session[SESSION_KEY]
        messages.success(request, _("Your answers and results have been deleted."))
        return redirect(reverse("my-results" if in_my_account else "assessment:home"))
    return render(request, "assessment/delete.html", {"assessment": assessment})
