from django.apps import AppConfig


class CppaPineconeSyncConfig(AppConfig):
    """The search index: document sources, the sync into a backend, and the query side."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "cppa_pinecone_sync"
    verbose_name = "Search index"
