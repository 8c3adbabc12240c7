"""URL routes: the admin, the operator views (health, metrics, status), search, reports."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from monitoring import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="status", permanent=False)),
    path("admin/", admin.site.urls),
    path("health/", views.health_view, name="health"),
    path("metrics", views.metrics_view, name="metrics"),
    path("status/", views.status_view, name="status"),
    path("status/collector/<str:command>/", views.collector_history_view, name="status-collector"),
    path("", include("cppa_pinecone_sync.urls")),
    path("", include("reports.urls")),
]
