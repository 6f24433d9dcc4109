"""Optional accounts: keep several attempts, compare them. Nothing else needs an account."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment.models import Assessment
from core.ratelimit import rate_limited

User = get_user_model()


class EmailLoginForm(AuthenticationForm):
    """Logs in with the e-mail address however it is capitalised: accounts store it in lower case."""

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class SignupForm(BaseUserCreationForm):
    """An account is an e-mail address and a password; the e-mail doubles as the user name."""

    email = forms.EmailField(label=gettext_lazy("E-mail address"), max_length=150)

    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(username__iexact=email).exists():
            raise forms.ValidationError(_("There is already an account with this e-mail address."))
        return email

    def save(self, commit: bool = True):
        user = super().save(commit=False)
        user.username = user.email = self.cleaned_data["email"]
        if commit:
            user.save()
        return user


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


@require_http_methods(["GET", "POST"])
@rate_limited("signup")
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    next_page = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    keep = (request.POST.get("keep") or request.GET.get("keep") or "")[:64]  # the result the account starts from
    context = {"form": form, "next": next_page, "keep": keep}
    if request.method == "POST":
        if form.is_valid():
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            kept = keep and Assessment.objects.filter(token=keep, finished_at__isnull=False, user__isnull=True).update(
                user=user
            )
            if kept:
                messages.success(request, _("Your account is ready, and this attempt is kept in it."))
            else:
                messages.success(request, _("Your account is ready. Attempts you keep appear here."))
            return redirect(next_page or "my-results")
        return render(request, "registration/signup.html", context, status=400)
    return render(request, "registration/signup.html", context)


@require_GET
@login_required
def my_results(request: HttpRequest) -> HttpResponse:
    attempts = request.user.assessments.filter(finished_at__isnull=False).order_by("-finished_at")
    return render(request, "registration/my_results.html", {"attempts": attempts})


@require_POST
@login_required
def keep_in_account(request: HttpRequest, token: str) -> HttpResponse:
    assessment = get_object_or_404(Assessment, token=token, finished_at__isnull=False)
    if assessment.user_id not in (None, request.user.pk):
        return render(request, "400.html", status=403)
    assessment.user = request.user
    assessment.save(update_fields=["user"])
    messages.success(request, _("This attempt is now kept in your account."))
    return redirect("results", token=token)


@require_http_methods(["GET", "POST"])
def delete_results(request: HttpRequest, token: str) -> HttpResponse:
    """Really delete an assessment and all its answers (after a confirmation)."""
    assessment = get_object_or_404(Assessment, token=token)
    if request.method == "POST":
        assessment.delete()
        if request.session.get("assessment_token") == token:
            del request.session["assessment_token"]
        messages.success(request, _("Your answers and results have been deleted."))
        return redirect(reverse("assessment:home"))
    return render(request, "assessment/delete.html", {"assessment": assessment})
