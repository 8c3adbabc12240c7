"""The /search/ page in headless Chromium: log in, search, see the issue and its snippet."""

from __future__ import annotations

import pytest

from cppa_pinecone_sync.tests.conftest import recorded_issue, store, sync


@pytest.mark.django_db(transaction=True)
def test_search_page_in_chromium(browser, live_server, django_user_model, repo) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as page
    from selenium.webdriver.support.ui import WebDriverWait

    # A click returns before the next page has loaded: wait for it (a bound, not a target).
    loaded = WebDriverWait(browser, 30)

    store(repo, recorded_issue())
    sync()
    django_user_model.objects.create_user(
        username="reader",
        password="reader-password-1",
        is_staff=True,  # the admin login page
    )

    browser.get(f"{live_server.url}/search/")
    browser.find_element(By.NAME, "username").send_keys("reader")
    browser.find_element(By.NAME, "password").send_keys("reader-password-1")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    loaded.until(page.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Search"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Search"

    browser.find_element(By.NAME, "q").send_keys("trigger that from a webhook")
    browser.find_element(By.CSS_SELECTOR, "input[name=source][value=github]").click()
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    first = loaded.until(page.presence_of_element_located((By.CSS_SELECTOR, "ol.results li")))
    link = first.find_element(By.TAG_NAME, "a")
    assert link.text == 'boostorg/website-v2#1188: webhook "import new releases"'
    assert link.get_attribute("href") == "https://github.com/boostorg/website-v2/issues/1188"
    marks = [mark.text.lower() for mark in first.find_elements(By.TAG_NAME, "mark")]
    assert "webhook" in marks
    stored_row = first.find_element(By.LINK_TEXT, "stored row").get_attribute("href") or ""
    assert stored_row.startswith(f"{live_server.url}/admin/github_activity_tracker/issue/")
