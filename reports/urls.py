from django.urls import path

from reports import views

urlpatterns = [
    path("reports/<int:pk>/", views.report_view, name="reports-report"),
    path("reports/<int:pk>/<path:asset>", views.report_view, name="reports-report-asset"),
    path(
        "exports/<int:pk>/manifest.json",
        views.export_manifest_view,
        name="reports-export-manifest",
    ),
]
