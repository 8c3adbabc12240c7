"""The status page in a real headless Chromium: log in, see a failed run, see the chart.

The `browser` fixture is `core.testing`'s (Debian's chromium and chromedriver; a skip
without them outside CI, a failure in CI).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core import runs
from core.testing.ledger import record_batch

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / ".test_artifacts"


@pytest.mark.django_db(transaction=True)
def test_status_page_in_chromium(
    browser, live_server, django_user_model, settings, tmp_path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as page
    from selenium.webdriver.support.ui import WebDriverWait

    # A click returns before the next page has loaded: wait for it (a bound, not a target).
    loaded = WebDriverWait(browser, 30)
    settings.BOOST_COLLECTOR_SCHEDULE_YAML = str(tmp_path / "none.yaml")
    django_user_model.objects.create_superuser(username="ops", password="ops-password-1", email="")
    record_batch(group="github", tasks=[("github", "run_github_activity_tracker", "succeeded")])
    with runs.run_context(trigger="celery", group="github"):
        batch = runs.start_run(command="run_scheduled_collectors", kind="batch")
    with runs.run_context(trigger="celery", group="github", parent_id=batch.pk):
        for fetched in (10, 40, 25):
            run = runs.start_run(command="run_github_activity_tracker", collector="github_activity")
            runs.finish_run(run=run, status="succeeded", exit_code=0, counters={"fetched": fetched})
        failed = runs.start_run(command="run_github_activity_tracker", collector="github_activity")
        runs.finish_run(
            run=failed, status="failed", exit_code=1, failure_category="rate_limit", error="403"
        )
    runs.finish_run(run=batch, status="failed", exit_code=1, failure_category="rate_limit")

    browser.get(f"{live_server.url}/status/")
    browser.find_element(By.NAME, "username").send_keys("ops")
    browser.find_element(By.NAME, "password").send_keys("ops-password-1")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    loaded.until(page.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Collector status"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Collector status"
    failed_cells = browser.find_elements(By.CSS_SELECTOR, "td.failed")
    assert any(cell.text == "failed" for cell in failed_cells)
    assert "rate_limit" in browser.find_element(By.CSS_SELECTOR, "table.runs").text

    browser.find_element(By.LINK_TEXT, "run_github_activity_tracker").click()
    # The status page has sparklines too: wait for the history page's own heading first.
    loaded.until(
        page.text_to_be_present_in_element((By.TAG_NAME, "h1"), "run_github_activity_tracker")
    )
    line = browser.find_element(By.CSS_SELECTOR, "svg.chart polyline")
    assert len(line.get_attribute("points").split()) == 5
    assert line.size["width"] > 100  # drawn, not just present in the markup
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "status_collector_history.png"))
