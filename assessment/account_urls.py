from django.contrib.auth import views as auth_views
from django.urls import path

from assessment import accounts

urlpatterns = [
    path("konto/loeschen/", accounts.delete_account, name="delete-account"),
    path("konto/registrieren/", accounts.signup, name="signup"),
    # `token` as the name: the middleware sends such pages with Cache-Control: no-store
    path("konto/bestaetigen/<str:uidb64>/<str:token>/", accounts.confirm_signup, name="confirm-signup"),
    path("konto/anmelden/", accounts.Login.as_view(), name="login"),
    path("konto/abmelden/", accounts.Logout.as_view(), name="logout"),
    path("konto/passwort-vergessen/", accounts.request_password_reset, name="password_reset"),
    path("konto/passwort-vergessen/gesendet/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    # `token` as the name, as above; Django's view moves it into the session and the address to ".../set-password/"
    path(
        "konto/passwort-neu/<str:uidb64>/<str:token>/",
        accounts.ChooseNewPassword.as_view(),
        name="password_reset_confirm",
    ),
    path("a/<str:token>/speichern/", accounts.keep_in_account, name="keep-in-account"),
    path("a/<str:token>/loeschen/", accounts.delete_results, name="delete-results"),
]
