from django.apps import AppConfig
from django.conf import settings


class DemoConfig(AppConfig):
    """`manage.py demo`: recorded GitHub and Boost responses, a demo database, the site."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
    verbose_name = "Offline demo"

    def ready(self) -> None:
        if settings.DEMO_MODE:
            from django.contrib import admin

            # The admin's header is on every admin page, the login page included.
            admin.site.site_header = f"Boost Data Collector · {settings.DEMO_LABEL}"
            admin.site.site_title = "Boost Data Collector demo"
