from django.contrib import admin
from django.urls import include, path

from config.locale import set_language
from config.views import healthz
from recommendations.admin_views import dashboard

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Before admin.site.urls, whose "admin/<app_label>/" would otherwise take "dashboard" for an app.
    path("admin/dashboard/", admin.site.admin_view(dashboard), name="admin_dashboard"),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),  # Django's, marking the choice (`config.locale`)
    path("", include("core.urls")),
    path("", include("assessment.account_urls")),
    path("", include("recommendations.urls")),
    path("", include("assessment.urls")),
]

handler403 = "core.views.permission_denied"  # the site's 403 page, not Django's bare one
handler500 = "core.views.server_error"  # a database outage outside a view still gets the 503 page
