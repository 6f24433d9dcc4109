from django.urls import path

from assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("a/<str:token>/", views.resume, name="resume"),
    path("a/<str:token>/frage/<int:step>/", views.question, name="question"),
    path("a/<str:token>/profil/", views.profile, name="profile"),
    path("a/<str:token>/schaerfen/", views.sharpen, name="sharpen"),
    path("a/<str:token>/schaerfen/beenden/", views.end_sharpen, name="end-sharpen"),
]
