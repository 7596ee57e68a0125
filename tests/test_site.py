"""The published site, opened page by page in a real (headless) Chromium.

Needs the built book in ``_build/html`` (``make test`` builds it first) and Debian's
``chromium`` and ``chromium-driver`` (``.ci/run`` installs them). Locally, without a browser,
these tests are skipped with the reason; in CI (``CI`` set) they fail instead.
"""

from __future__ import annotations

import contextlib

import functools
import http.server
import os
import re
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

    # Every image loads and has alternative text, which is not just a file name or path.
    for image in browser.find_elements("css selector", "article img"):
        src = image.get_attribute("src")
        alt = image.get_attribute("alt").strip()
        assert alt, f"{page}: image without alt text: {src}"
        assert not alt_is_a_file_name(alt, src), f"{page}: the alt text of {src} is a file name, not a description: {alt!r}"
        if src.startswith(site):
            assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image), f"{page}: image does not load: {src}"


_IMAGE_FILE = re.compile(r"\S+\.(png|jpe?g|gif|svg|webp|bmp|tiff?)", re.IGNORECASE)
_PATH = re.compile(r"\S*[/\\]\S*")


def alt_is_a_file_name(alt: str, src: str = "") -> bool:
    """Whether alt text is only a file name or path (what myst-nb writes when a figure has none)."""
    alt = alt.strip()
    name = unquote(urlparse(src).path).rsplit("/", 1)[-1] if src else ""
    return bool(alt) and (alt in (src, name) or bool(_IMAGE_FILE.fullmatch(alt)) or bool(_PATH.fullmatch(alt)))


@pytest.mark.parametrize("alt, src, expected", [
    ("abc123.png", "http://127.0.0.1:8000/_images/abc123.png", True),
    ("_images/abc123.png", "", True),
    ("../_images/1e6d341e.svg", "", True),
    ("figure", "http://127.0.0.1:8000/_images/figure", True),
    ("Three histograms of living cousins per adult.", "http://127.0.0.1:8000/_images/abc123.png", False),
    ("Bar chart of the folded allele-frequency spectrum (SFS).", "", False),
])
def test_alt_text_that_is_a_file_name_is_recognised(alt, src, expected):
    assert alt_is_a_file_name(alt, src) is expected


def solution_count(page: str) -> int:
    import nbformat

    from genshare.teaching import is_solution

    notebook = nbformat.read(PROJECT_ROOT / page.replace(".html", ".ipynb"), as_version=4)
    return sum(is_solution(cell) for cell in notebook.cells)


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_notebook_pages_have_launch_buttons(browser, site, page):
    open_page(browser, site, page)
    hrefs = [a.get_attribute("href") or "" for a in browser.find_elements("css selector", "a")]
    learner = page.replace("notebooks/", "learner/", 1).replace(".html", ".ipynb")
    binder = [h for h in hrefs if "mybinder.org" in h]
    colab = [h for h in hrefs if "colab.research.google.com" in h]
    assert binder and all(unquote(h).endswith(f"urlpath=lab/tree/{learner}") for h in binder), f"{page}: Binder {binder}"
    assert colab and all(h.endswith(f"/blob/main/{learner}") for h in colab), f"{page}: Colab {colab}"
    # The browser route comes first in the rocket menu, as the setup page recommends.
    labels = [a.get_attribute("textContent").strip() for a in browser.find_elements(
        "css selector", ".dropdown-launch-buttons a, .dropdown-launch-buttons button")]
    labels = [label for label in labels if label]
    assert labels and labels[0] == "In your browser", f"{page}: launch menu order {labels}"
    notebook = learner
    lite = [h for h in hrefs if "/lite/lab/index.html?path=" in h]
    assert lite, f"{page}: no 'run in your browser' (JupyterLite) launch button"
    parsed = urlparse(lite[0])
    assert parsed.netloc == urlparse(site).netloc, f"{page}: JupyterLite link leaves the site: {lite[0]}"
    assert (HTML / unquote(parsed.path).lstrip("/")).is_file(), f"{page}: {lite[0]} does not exist (make book builds lite/)"
    assert unquote(parsed.query) == f"path={notebook}"
    assert (HTML / "lite" / "files" / notebook).is_file(), f"{page}: the JupyterLite site lacks {notebook}"


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_solutions_code_and_output_are_hidden_until_clicked(browser, site, page):
    """Every solution (code and printed answer) sits behind a 'Show solution' control."""
    from selenium.webdriver.support.ui import WebDriverWait

    open_page(browser, site, page)
    solutions = browser.find_elements("css selector", "details.hide.above-input")
    assert len(solutions) == solution_count(page), f"{page}: {len(solutions)} hidden cells, {solution_count(page)} solution cells"
    for number, details in enumerate(solutions, 1):
        summary = details.find_element("css selector", "summary")
        label = browser.execute_script("return arguments[0].textContent", summary).strip()
        assert "Show solution" in label, f"{page}: solution {number} is labelled {label!r}"
        parts = details.find_elements("css selector", ".cell_input, .cell_output")
        assert any("cell_output" in p.get_attribute("class") for p in parts), f"{page}: solution {number} has no output inside the hidden block"
        assert not details.get_attribute("open") and not any(p.is_displayed() for p in parts), f"{page}: solution {number} visible before clicking"
        shown_before = browser.execute_script("return arguments[0].innerText", details)  # rendered text only
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
        summary.click()
        WebDriverWait(browser, 5).until(lambda _: all(p.is_displayed() for p in parts), f"{page}: solution {number} still hidden after clicking")
        answer = [line.strip() for line in browser.execute_script("return arguments[0].querySelector('.cell_output').innerText", details).splitlines() if line.strip()]
        assert answer, f"{page}: solution {number} shows no answer after clicking"
        assert answer[0] not in shown_before, f"{page}: the answer of solution {number} ({answer[0]!r}) was visible before clicking"


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


@contextlib.contextmanager
def phone_screen(browser):
    """A 390 x 844 px window (a phone) for the duration of the block, then the desktop size again."""
    browser.set_window_size(390, 844)
    try:
        yield
    finally:
        browser.set_window_size(1280, 900)


def assert_no_sideways_scroll(browser, page: str) -> None:
    """The page itself is no wider than the window (wide tables and outputs scroll in their own box)."""
    page_width = browser.execute_script("return document.documentElement.scrollWidth")
    viewport = browser.execute_script("return document.documentElement.clientWidth")
    assert page_width <= viewport + 1, f"{page}: page is {page_width}px wide on a {viewport}px screen"


@pytest.mark.parametrize("page", ["chapters/repositories.html", "notebooks/01-repository-catalogue.html", "chapters/instructor-guide.html"])
def test_wide_tables_stay_readable_on_a_phone(browser, site, page):
    """On a 390 px wide screen the page itself must not scroll sideways; wide tables scroll inside their box."""
    with phone_screen(browser):
        open_page(browser, site, page)
        assert_no_sideways_scroll(browser, page)
        tables = browser.find_elements("css selector", "article table")
        assert tables, f"{page}: expected tables"
        for table in tables:
            text_size = browser.execute_script("return parseFloat(getComputedStyle(arguments[0]).fontSize)", table)
            assert text_size >= 12, f"{page}: table text is {text_size}px"


# -- accessibility, search, code width ---------------------------------------------

AXE_BLOCKING = {"serious", "critical"}


def run_axe(browser) -> list[dict]:
    """axe-core's violations on the open page (axe-core-python bundles axe.min.js; nothing is downloaded)."""
    try:
        from axe_core_python.base import AXE_SCRIPT
    except ImportError:
        _unavailable("axe-core-python is not installed (requirements-test.txt)")
    browser.execute_script(AXE_SCRIPT)
    browser.set_script_timeout(60)
    results = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(done, e => done({error: String(e)}));"
    )
    assert "error" not in results, results.get("error")
    return results["violations"]


@pytest.mark.parametrize("page", PAGES)
def test_no_serious_accessibility_violations(browser, site, page):
    open_page(browser, site, page)
    blocking = [v for v in run_axe(browser) if v["impact"] in AXE_BLOCKING]
    report = [
        f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']}: {v['nodes'][0]['html'][:120]})"
        for v in blocking
    ]
    assert not report, f"{page}: axe-core found\n" + "\n".join(report)


@pytest.mark.parametrize("page", ["intro.html", "chapters/why-share.html", "notebooks/02-synthetic-cohort.html"])
def test_one_search_field_on_desktop(browser, site, page):
    open_page(browser, site, page)
    fields = [e for e in browser.find_elements("css selector", ".search-button-field, form.bd-search, #searchbox input") if e.is_displayed()]
    assert len(fields) == 1, f"{page}: {len(fields)} search fields visible at desktop width"


@pytest.mark.parametrize("page", PAGES)
def test_code_fits_the_page_at_desktop_width(browser, site, page):
    """Code (lesson cells and code blocks) wraps: no code block scrolls sideways at 1280 px."""
    open_page(browser, site, page)
    wide = browser.execute_script(
        "return [...document.querySelectorAll('article div.highlight pre')]"
        ".filter(pre => !pre.closest('.cell_output') && pre.scrollWidth > pre.clientWidth + 1)"
        ".map(pre => pre.scrollWidth - pre.clientWidth + 'px: ' + pre.textContent.slice(0, 60))"
    )
    assert not wide, f"{page}: code scrolls sideways: {wide}"


@pytest.mark.parametrize("page", PAGES)
def test_prose_never_scrolls_sideways_on_a_phone(browser, site, page):
    with phone_screen(browser):
        open_page(browser, site, page)
        assert_no_sideways_scroll(browser, page)
        wide = browser.execute_script(
            "return [...document.querySelectorAll('article p, article li')]"
            ".filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')"
            ".map(e => e.textContent.slice(0, 60))"
        )
        assert not wide, f"{page}: prose scrolls sideways: {wide}"


# What JupyterLab (on Binder or in JupyterLite) shows of the open notebook: its code cells, how
# many are collapsed (source and outputs), the first rendered markdown and the admonitions.
_NOTEBOOK_PANEL_STATE = (
    "const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');"
    "if (!panel) return null;"
    "const code = [...panel.querySelectorAll('.jp-CodeCell')];"
    "const first = panel.querySelector('.jp-MarkdownCell .jp-RenderedMarkdown, .jp-MarkdownCell .myst');"
    "return {code: code.length, collapsed: code.filter(c => c.querySelector('.jp-InputPlaceholder')"
    " && c.querySelector('.jp-OutputPlaceholder')).length,"
    " text: first ? first.innerText : '', admonitions: panel.querySelectorAll('aside, .admonition').length};"
)


def poll_notebook_panel(browser, ready, seconds: float = 90) -> dict | None:
    """The open notebook's state (see above), polled once a second until ``ready(state)`` or timeout."""
    import time

    deadline, state = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        state = browser.execute_script(_NOTEBOOK_PANEL_STATE)
        if state and ready(state):
            break
        time.sleep(1)
    return state


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_jupyterlite_opens_the_learner_edition_rendered(browser, site, page):
    """The book's JupyterLite site (a JupyterLab 4 front end, no jupyterlab-myst) opens the
    learner edition of each lesson from the page's own button, rendered as plain Markdown:
    no raw MyST, and no solution to collapse.

    The Pyodide kernel is not started here (it comes from a CDN that the test machine cannot
    reach); the learner edition is run on the lite world by tests/test_learner_edition.py.
    """
    if not (HTML / "lite" / "lab" / "index.html").is_file():
        _unavailable("the JupyterLite site is not built (make book builds it)")
    open_page(browser, site, page)
    links = [a.get_attribute("href") for a in browser.find_elements("css selector", "a[href*='lite/lab/index.html']")]
    assert links and all("path=learner/" in link for link in links), f"{page}: browser button {links}"
    browser.get(links[0])
    state = poll_notebook_panel(browser, lambda state: state["code"] and "Lesson at a glance" in state["text"])
    assert state and state["code"], f"{page}: JupyterLite did not open the learner notebook ({state})"
    assert state["collapsed"] == 0, f"{page}: {state['collapsed']} collapsed code cells; the learner edition has no solutions"
    assert "Lesson at a glance" in state["text"] and ":class:" not in state["text"] and "{term}" not in state["text"], state["text"][:300]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """JupyterLab (with jupyterlab-myst) serving a copy of the notebooks on 127.0.0.1, as on Binder."""
    import socket
    import subprocess
    import sys
    import time

    try:
        import jupyterlab  # noqa: F401
        import jupyterlab_myst  # noqa: F401
    except ImportError:
        _unavailable("jupyterlab and jupyterlab-myst are not installed (the learners' environment, binder/requirements.txt)")
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(PROJECT_ROOT / "notebooks", root / "notebooks")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(root / "config"), JUPYTER_RUNTIME_DIR=str(root / "runtime"))
    log = (root / "jupyterlab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--IdentityProvider.token=", "--ServerApp.password=",
         f"--ServerApp.root_dir={root}", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"JupyterLab did not start: {(root / 'jupyterlab.log').read_text()[-2000:]}")
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


#: The full edition in JupyterLab is the instructors' route (learners open the learner edition,
#: run in JupyterLab by tests/test_learner_lab.py): two lessons show it (CI time).
FULL_EDITION_IN_LAB = ["notebooks/05-linkage-of-quasi-identifiers.html", "notebooks/09-data-use-and-access-requests.html"]


@pytest.mark.parametrize("page", FULL_EDITION_IN_LAB)
def test_jupyterlab_renders_the_lesson_and_collapses_its_solutions(browser, jupyterlab, page):
    """In JupyterLab with jupyterlab-myst the lesson admonitions render (no raw ``:class:`` lines)
    and every solution cell opens collapsed (source and outputs)."""
    notebook = page.replace(".html", ".ipynb")
    browser.get(urljoin(jupyterlab, f"lab/tree/{notebook}"))
    expected = solution_count(page)
    state = poll_notebook_panel(
        browser, lambda state: state["code"] and state["collapsed"] >= expected and state["admonitions"]
    )
    assert state and state["code"], f"{notebook}: JupyterLab did not open the notebook"
    assert state["collapsed"] == expected, f"{notebook}: {state['collapsed']} collapsed code cells, {expected} solutions"
    assert "Lesson at a glance" in state["text"] and ":class:" not in state["text"], f"{notebook}: MyST not rendered: {state['text'][:200]!r}"
    assert state["admonitions"], f"{notebook}: no rendered admonition"
