from django.urls import path

from recommendations import views

urlpatterns = [
    path("a/<str:token>/ergebnis/", views.results, name="results"),
    path("a/<str:token>/ergebnis/pfad/", views.choose_path, name="results-path"),
    path("a/<str:token>/ergebnis/antworten/", views.results_review, name="results-review"),
    path("a/<str:token>/ergebnis/neu/", views.recompute, name="results-recompute"),
    path("a/<str:token>/ergebnis.pdf", views.results_pdf, name="results-pdf"),
    path("a/<str:token>/daten.json", views.results_json, name="results-json"),
    path("a/<str:token>/kurs/<slug:course>/erledigt/", views.toggle_course_done, name="course-done"),
    path("a/<str:token>/teilen/", views.share, name="share"),
    path("a/<str:token>/rueckmeldung/", views.feedback, name="feedback"),
    path("geteilt/<str:share_token>/", views.shared_results, name="shared-results"),
    path("konto/", views.my_results, name="my-results"),
    path("konto/vergleich/", views.compare, name="compare"),
]
