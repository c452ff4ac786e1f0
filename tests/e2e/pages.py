"""Steps the browser tests share: logging in, and waiting for the page a click loads."""

from contextlib import contextmanager

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


@contextmanager
def new_page(browser, timeout: float = 10):
    """Wait, after the block (a click or submit that loads a page), until the new page has
    replaced the old one and finished loading. Reading the page right after the click is a
    race: the old page's elements, gone stale, or its text. The old page is marked, and the
    wait is for a complete document without the mark (asking while the browser is between
    two documents may fail: then it asks again)."""
    browser.execute_script("document.documentElement.dataset.oldPage = 'yes'")
    yield

    def new_page_loaded(driver):
        try:
            return driver.execute_script(
                "return document.readyState === 'complete'"
                " && document.documentElement.dataset.oldPage === undefined"
            )
        except WebDriverException:
            return False

    WebDriverWait(browser, timeout).until(new_page_loaded)


def log_in(browser, live_server, username, password):
    browser.get(f"{live_server.url}/")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(password)
    with new_page(browser):
        browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    assert "/accounts/login/" not in browser.current_url
