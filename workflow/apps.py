from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    """The fixed collector list (`WORKFLOW_COLLECTORS`) run by `run_all_collectors`."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "workflow"
    verbose_name = "Workflow"
