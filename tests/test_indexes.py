"""Every index costs each insert a write: none may repeat what a unique constraint covers."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from core.layout import REPO_ROOT, project_apps


def test_no_foreign_key_index_repeats_the_lead_of_a_unique_constraint() -> None:
    repeated = []
    for model in apps.get_models():
        if model._meta.app_label not in project_apps(REPO_ROOT):
            continue
        leads = {
            c.fields[0]
            for c in model._meta.constraints
            if isinstance(c, models.UniqueConstraint) and c.fields and c.condition is None
        }
        repeated += [
            f"{model._meta.label}.{f.name}"
            for f in model._meta.concrete_fields
            if f.is_relation and f.db_index and f.name in leads
        ]
    assert repeated == [], "set db_index=False: the unique constraint's index serves these"
