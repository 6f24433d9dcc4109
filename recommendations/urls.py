from django.urls import path

from recommendations import views

urlpatterns = [
    path("a/<str:token>/ergebnis/", views.results, name="results"),
    path("a/<str:token>/ergebnis.pdf", views.results_pdf, name="results-pdf"),
    path("a/<str:token>/daten.json", views.results_json, name="results-json"),
]
