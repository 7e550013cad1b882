"""The Snakemake report of a build, opened in headless Chromium: every figure shows, with its caption.

Needs Debian's chromium and chromium-driver and the selenium package (envs/requirements.txt); CI
installs them and makes this test run, not skip.
"""

import re
import shutil
import time
import zipfile

import pytest
from helpers import ROOT, RULES, require_system, snakemake

pytestmark = pytest.mark.workflow

CHROMIUM_FLAGS = [  # headless, and no calls home from a machine without network
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
]


def caption_title(name: str) -> str:
    """The caption's bold title (or, without one, its first words), as the report renders it."""
    text = (ROOT / f"workflow/report/{name}.rst").read_text()
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
    session.implicitly_wait(10)
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


@pytest.mark.parametrize("figure", list(RULES))
def test_report_shows_every_figure_with_its_caption(browser, report, figure, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(report.as_uri())
    browser.find_element(By.XPATH, f"//span[normalize-space(text())='{figure}']").click()  # its category
    png = "//tr[td[normalize-space(text())='PNG']]"
    assert browser.find_elements(By.XPATH, "//tr[td[normalize-space(text())='PDF']]")  # both formats listed
    browser.find_element(By.XPATH, png).find_element(By.CSS_SELECTOR, "a[iconname=eye]").click()
    image = browser.find_element(By.XPATH, f"//img[contains(@src, '/{figure}.png')]")
    deadline = time.monotonic() + 10
    while not browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image):
        assert time.monotonic() < deadline, "the figure did not load"
        time.sleep(0.1)
    assert image.is_displayed() and image.size["width"] > 100
    browser.save_screenshot(str(tmp_path / f"{figure}.png"))  # for a human, when the test fails

    browser.find_element(By.XPATH, png).find_element(By.CSS_SELECTOR, "a[iconname=information-circle]").click()
    page = browser.find_element(By.TAG_NAME, "body").text
    assert f"figures/{figure}.png" in page and "DESCRIPTION" in page
    assert caption_title(figure).split("{{")[0].strip() in page, page


def test_report_lists_the_scorecard(browser, report):
    from selenium.webdriver.common.by import By

    browser.get(report.as_uri())
    browser.find_element(By.XPATH, "//span[normalize-space(text())='scorecard']").click()
    browser.find_element(By.XPATH, "//tr[td[contains(text(), 'claims.md')]]").find_element(By.CSS_SELECTOR, "a[iconname=information-circle]").click()
    assert caption_title("claims") in browser.find_element(By.TAG_NAME, "body").text
