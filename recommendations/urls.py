from django.urls import path

from recommendations import views

urlpatterns = [
    path("a/<str:token>/ergebnis/", views.results, name="results"),
]
