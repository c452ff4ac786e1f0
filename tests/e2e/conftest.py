"""A real headless Chromium (Debian's chromium + chromium-driver) driven by Selenium.

Without the browser installed these tests are skipped, unless REQUIRE_BROWSER=1 (as in
.ci/run), where a missing browser is a failure.
"""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture
def browser(tmp_path):
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("chromium and chromium-driver are required (apt-get install them)")
        pytest.skip("chromium and chromium-driver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--lang=it",
    ]:
        options.add_argument(flag)
    # Headless Chromium ignores --lang for Accept-Language; the preference sets it.
    options.add_experimental_option("prefs", {"intl.accept_languages": "it-IT,it"})
    # The console, to check that the Content-Security-Policy blocked nothing.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    try:
        violations = csp_violations(driver)
    finally:
        driver.quit()
    assert not violations, "the Content-Security-Policy blocked something on these pages"


def csp_violations(driver) -> list[str]:
    """Console messages about the Content-Security-Policy since the last call (the browser
    keeps the console of every page it loaded)."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if "Content Security Policy" in entry["message"]
    ]
