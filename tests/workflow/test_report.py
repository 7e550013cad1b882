"""The Snakemake report of a build, opened in headless Chromium: every figure shows, with its caption.

Needs Debian's chromium and chromium-driver and the selenium package (envs/requirements.txt); CI
installs them and makes this test run, not skip.
"""

import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from helpers import ROOT, RULES, require_system, snakemake

from dltheory.core.registry import figure as registered

pytestmark = pytest.mark.workflow

CHROMIUM_FLAGS = [  # headless, and no calls home from a machine without network
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
]


def caption_title(caption: Path) -> str:
    """The caption's bold title (or, without one, its first words), as the report renders it."""
    text = caption.read_text()
    bold = re.search(r"\*\*(.+?)\*\*", text)
    return bold.group(1) if bold else " ".join(text.split()[:4])


@pytest.fixture(scope="module")
def browser():
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver is None:
        require_system("Chromium not installed: apt-get install chromium chromium-driver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        require_system("selenium not installed: pip install -r envs/requirements.txt")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    session = webdriver.Chrome(options=options, service=Service(driver))
    yield session
    session.quit()


@pytest.fixture(scope="module")
def report(smoke_build, tmp_path_factory):
    run = snakemake(smoke_build, "figures/all", "--configfile", "config/smoke.yaml", "--report", "report.zip")
    assert run.returncode == 0, run.stdout + run.stderr
    folder = tmp_path_factory.mktemp("report")
    with zipfile.ZipFile(smoke_build / "report.zip") as archive:
        archive.extractall(folder)
    return folder / "report/report.html"


PNG_ROW = "//tr[td[normalize-space(text())='PNG']]"


@pytest.mark.parametrize("figure", list(RULES))
def test_report_shows_every_figure_with_its_caption(browser, report, figure, tmp_path):
    from selenium.webdriver.common.by import By

    open_report(browser, report)
    formats = "//tr[td[normalize-space(text())='PDF']] | " + PNG_ROW
    click_until(browser, f"//span[normalize-space(text())='{figure}']", lambda: len(browser.find_elements(By.XPATH, formats)) == 2)

    def loaded_image():
        image = browser.find_element(By.XPATH, f"//img[contains(@src, '/{figure}.png')]")
        return image if browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) else None

    image = click_until(browser, PNG_ROW + "//a[@iconname='eye']", loaded_image)
    assert image.is_displayed() and image.size["width"] > 100
    browser.save_screenshot(str(tmp_path / f"{figure}.png"))  # for a human, when the test fails

    page = click_until(
        browser,
        PNG_ROW + "//a[@iconname='information-circle']",
        page_with(browser, caption_title(registered(figure).folder / "caption.rst").split("{{")[0].strip()),
    )
    assert f"figures/{figure}.png" in page and "DESCRIPTION" in page


def test_report_lists_the_scorecard(browser, report):
    from selenium.webdriver.common.by import By

    open_report(browser, report)
    row = "//tr[td[contains(text(), 'claims.md')]]"
    click_until(browser, "//span[normalize-space(text())='scorecard']", lambda: browser.find_elements(By.XPATH, row))
    click_until(
        browser, row + "//a[@iconname='information-circle']", page_with(browser, caption_title(ROOT / "workflow/report/claims.rst"))
    )


def open_report(browser, report, timeout: float = 30):
    """Load the report as a new document, at its start page.

    Loading the URL the browser is already on can leave the previous test's page in place (a CI
    run once clicked on the last figure's page for 10 s), so go through a blank page and wait until
    the report's own document, without the marker left on the blank one, has rendered its menu.
    """
    from selenium.webdriver.common.by import By

    browser.get("about:blank")
    browser.execute_script("window.previousPage = true")
    browser.get(report.as_uri())
    deadline = time.monotonic() + timeout
    while browser.execute_script("return window.previousPage === true") or not browser.find_elements(
        By.XPATH, "//span[normalize-space(text())='Workflow']"
    ):
        assert time.monotonic() < deadline, f"the report did not load: {browser.current_url}"
        time.sleep(0.2)


def page_with(browser, text: str):
    """A condition: the page's text, once it shows ``text``."""
    from selenium.webdriver.common.by import By

    def shown():
        page = browser.find_element(By.TAG_NAME, "body").text
        return page if text in page else None

    return shown


def click_until(browser, xpath: str, done, timeout: float = 30):
    """Click the element at ``xpath`` until ``done()`` gives something: the report renders with
    React after each click returns, and a click on an element it has just replaced is lost."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By

    def attempt(action):
        try:
            return action()
        except WebDriverException:  # not there yet, or replaced while we looked
            return None

    deadline = time.monotonic() + timeout
    while not (result := attempt(done)):
        assert time.monotonic() < deadline, f"no effect of clicking {xpath}: {browser.find_element(By.TAG_NAME, 'body').text[:2000]}"
        attempt(lambda: browser.find_element(By.XPATH, xpath).click())
        time.sleep(0.3)
    return result
