from django.apps import AppConfig


class CppaPineconeSyncConfig(AppConfig):
    """The cppa_pinecone_sync collector app."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "cppa_pinecone_sync"
