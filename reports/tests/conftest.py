from __future__ import annotations

import pytest

from reports.tests.activity_db import ActivityDb, build_activity_db


@pytest.fixture
def activity_db(db) -> ActivityDb:
    return build_activity_db()


@pytest.fixture
def workspace(settings, tmp_path):
    settings.WORKSPACE_DIR = str(tmp_path / "workspace")
    return tmp_path / "workspace"
