"""The admin covers every collected model, read-only, and each list page works."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from core.layout import REPO_ROOT, project_apps

# Link tables: shown inside the models they join (or as their filters), not on their own.
LINK_TABLES = {
    "boost_library_tracker.LibraryVersionCategory",
    "boost_library_tracker.LibraryVersionPerson",
    "github_activity_tracker.IssueAssignee",
    "github_activity_tracker.IssueLabel",
}
PROJECT_MODELS = [
    model
    for app in project_apps(REPO_ROOT)
    if app != "tests_support" and apps.is_installed(app)
    for model in apps.get_app_config(app).get_models()
    if model._meta.label not in LINK_TABLES
]


def _misspelt_plural(label: str) -> bool:
    """Django's default plural just adds 's'; English does not ('entrys', 'addresss')."""
    consonant_ys = label.endswith("ys") and label[-3:-2] not in set("aeiou")
    return consonant_ys or label.endswith(("sss", "xs", "chs", "shs", "persons"))


def test_admin_labels_are_english() -> None:
    every_model = [
        model
        for app in project_apps(REPO_ROOT)
        if apps.is_installed(app)
        for model in apps.get_app_config(app).get_models()
    ]
    wrong = [
        f"{m._meta.label}: {m._meta.verbose_name} / {m._meta.verbose_name_plural}"
        for m in every_model
        if "git hub" in str(m._meta.verbose_name).lower()
        or _misspelt_plural(str(m._meta.verbose_name_plural))
    ]
    assert wrong == []


def test_every_project_model_is_in_the_admin() -> None:
    missing = [m._meta.label for m in PROJECT_MODELS if m not in admin.site._registry]
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_list_page_search_and_read_only(admin_client, model) -> None:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = admin_client.get(url, {"q": "boost"})
    assert response.status_code == 200
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(response.wsgi_request)
    assert not model_admin.has_delete_permission(response.wsgi_request)
