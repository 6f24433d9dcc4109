from django.urls import path

from core import views

urlpatterns = [
    path("impressum/", views.legal_notice, name="legal-notice"),
    path("datenschutz/", views.privacy_notice, name="privacy-notice"),
]
