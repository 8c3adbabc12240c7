"""The status page links the latest report and export; the admin lists reports."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from reports.models import Export, Report


@pytest.fixture
def operator(client, django_user_model):
    user = django_user_model.objects.create_superuser(username="op", password="pw-op-12345")
    client.force_login(user)
    return client


def test_status_page_says_when_nothing_was_written(operator) -> None:
    page = operator.get("/status/").content.decode()
    assert "Latest report: none yet (run_monthly_report)" in page
    assert "Latest export: none yet (run_export)" in page


def test_status_links_the_latest_report_and_export_and_they_open(
    operator, activity_db, workspace
) -> None:
    call_command("run_monthly_report", "--month", "2024-05", stdout=StringIO())
    call_command("run_export", "--format", "csv", stdout=StringIO())
    report, export = Report.objects.get(), Export.objects.get()
    page = operator.get("/status/").content.decode()
    assert f'href="/reports/{report.pk}/">2024-05 (html)</a>' in page
    assert f'href="/exports/{export.pk}/manifest.json">csv,' in page

    opened = operator.get(f"/reports/{report.pk}/")
    assert opened["Content-Type"] == "text/html"
    assert b"Boost activity report, May 2024" in b"".join(opened.streaming_content)
    csv = operator.get(f"/reports/{report.pk}/data/commits_per_day.csv")
    assert csv.status_code == 200
    assert operator.get(f"/reports/{report.pk}/../../../../etc/passwd").status_code == 404
    manifest = operator.get(f"/exports/{export.pk}/manifest.json")
    assert b'"format": "csv"' in b"".join(manifest.streaming_content)

    listing = operator.get("/admin/reports/report/").content.decode()
    assert "2024-05" in listing
    assert f"/reports/{report.pk}/" in listing


def test_report_files_need_a_signed_in_operator(client, activity_db, workspace) -> None:
    call_command("run_monthly_report", "--month", "2024-05", stdout=StringIO())
    response = client.get(f"/reports/{Report.objects.get().pk}/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
