"""The published site, opened page by page in a real (headless) Chromium.

Needs the built book in ``_build/html`` (``make test`` builds it first) and Debian's
``chromium`` and ``chromium-driver`` (``.ci/run`` installs them). Locally, without a browser,
these tests are skipped with the reason; in CI (``CI`` set) they fail instead.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

from genshare.paths import PROJECT_ROOT

pytestmark = pytest.mark.browser

HTML = PROJECT_ROOT / "_build" / "html"
REPORT = PROJECT_ROOT / "_build" / "report"
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser tests; .ci/run installs chromium and chromium-driver)")
    pytest.skip(reason)


def toc_pages() -> list[str]:
    """Pages of the book, as paths relative to _build/html, from the table of contents."""
    import yaml

    toc = yaml.safe_load((PROJECT_ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [chapter["file"] for chapter in part["chapters"]]
    return [f"{name}.html" for name in files]


PAGES = toc_pages()
NOTEBOOK_PAGES = [p for p in PAGES if p.startswith("notebooks/")]


@pytest.fixture(scope="module")
def site():
    if not (HTML / "index.html").is_file():
        pytest.fail("_build/html/index.html is missing: build the book first (make test does)")
    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output readable
            pass

    handler = functools.partial(QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM or not CHROMEDRIVER:
        _unavailable("Chromium or chromedriver not installed (Debian packages chromium, chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1280,900", f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def open_page(browser, site: str, page: str):
    browser.get_log("browser")  # discard earlier messages
    browser.get(urljoin(site, page))
    return browser


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_without_errors_and_links_resolve(browser, site, page):
    open_page(browser, site, page)
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    local_errors = [m for m in errors if "127.0.0.1" in m or not m.startswith("http")]
    assert not local_errors, f"{page}: console errors: {local_errors}"

    # Every chapter is listed in the sidebar.
    sidebar = {
        unquote(urlparse(a.get_attribute("href")).path).lstrip("/")
        for a in browser.find_elements("css selector", "nav.bd-docs-nav a.reference.internal")
    }
    missing = [p for p in PAGES[1:] if p not in sidebar]
    assert not missing, f"{page}: sidebar lacks {missing}"

    # Every internal link points at a file of the build.
    broken = []
    for a in browser.find_elements("css selector", "article a[href]"):
        href = a.get_attribute("href")
        parsed = urlparse(href)
        if parsed.scheme in ("http", "https") and parsed.netloc.startswith("127.0.0.1"):
            target = HTML / unquote(parsed.path).lstrip("/")
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(href)
    assert not broken, f"{page}: broken internal links {broken}"

    # Every image loads and has alternative text.
    for image in browser.find_elements("css selector", "article img"):
        src = image.get_attribute("src")
        assert image.get_attribute("alt").strip(), f"{page}: image without alt text: {src}"
        if src.startswith(site):
            assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image), f"{page}: image does not load: {src}"


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_notebook_pages_have_launch_buttons_and_hidden_solutions(browser, site, page):
    open_page(browser, site, page)
    hrefs = [a.get_attribute("href") or "" for a in browser.find_elements("css selector", "a")]
    assert any("mybinder.org" in h for h in hrefs), f"{page}: no Binder launch button"
    assert any("colab.research.google.com" in h for h in hrefs), f"{page}: no Colab launch button"
    solutions = browser.find_elements("css selector", "details.hide.above-input")
    assert solutions, f"{page}: no hidden solution cells"
    first = solutions[0]
    code = first.find_element("css selector", "div.highlight")
    assert not first.get_attribute("open") and not code.is_displayed(), f"{page}: solution visible before clicking"
    summary = first.find_element("css selector", "summary")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
    summary.click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 5).until(lambda _: code.is_displayed(), f"{page}: solution still hidden after clicking")
    assert first.get_attribute("open") is not None


def test_chapter_solutions_are_hidden_until_clicked(browser, site):
    open_page(browser, site, "chapters/why-share.html")
    dropdown = browser.find_element("css selector", "details.sd-dropdown")
    body = dropdown.find_element("css selector", ".sd-summary-content")
    assert not body.is_displayed()
    dropdown.find_element("css selector", "summary").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 5).until(lambda _: body.is_displayed(), "chapter solution still hidden after clicking")


def test_screenshots(browser, site):
    REPORT.mkdir(parents=True, exist_ok=True)
    for page, name in [("intro.html", "landing-page.png"), ("notebooks/02-synthetic-cohort.html", "notebook-page.png")]:
        open_page(browser, site, page)
        path = REPORT / name
        assert browser.save_screenshot(str(path)) and path.stat().st_size > 10_000


@pytest.mark.parametrize("page", ["chapters/repositories.html", "notebooks/01-repository-catalogue.html", "chapters/instructor-guide.html"])
def test_wide_tables_stay_readable_on_a_phone(browser, site, page):
    """On a 390 px wide screen the page itself must not scroll sideways; wide tables scroll inside their box."""
    browser.set_window_size(390, 844)
    try:
        open_page(browser, site, page)
        page_width = browser.execute_script("return document.documentElement.scrollWidth")
        viewport = browser.execute_script("return document.documentElement.clientWidth")
        assert page_width <= viewport + 1, f"{page}: page is {page_width}px wide on a {viewport}px screen"
        tables = browser.find_elements("css selector", "article table")
        assert tables, f"{page}: expected tables"
        for table in tables:
            text_size = browser.execute_script("return parseFloat(getComputedStyle(arguments[0]).fontSize)", table)
            assert text_size >= 12, f"{page}: table text is {text_size}px"
    finally:
        browser.set_window_size(1280, 900)
