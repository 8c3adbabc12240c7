"""The sections this project builds from the collectors on main: GitHub and the catalogue.

Each registers only when its app is installed. Other apps add their own section in
their own `report_sections.py` (see `reports.sections`).
"""

from __future__ import annotations

from django.apps import apps

from reports.sections import ReportPeriod, Section, register_section


def _github(period: ReportPeriod) -> Section | None:
    from reports.github_section import build_github_section

    return build_github_section(period)


def _releases(period: ReportPeriod) -> Section | None:
    from reports.catalogue_section import build_releases_section

    return build_releases_section(period)


if apps.is_installed("github_activity_tracker") and apps.is_installed("boost_library_tracker"):
    register_section(key="github", order=10, build=_github)
if apps.is_installed("boost_library_tracker"):
    register_section(key="releases", order=20, build=_releases)
