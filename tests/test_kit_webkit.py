"""The browser route in WebKit too: Debian's WebKitGTK driven by Selenium.

Safari is WebKit, and recent Pyodide releases have had Safari-only problems, so the site and
the JupyterLite page are opened in WebKit as well as in Chromium (tests/test_site.py).
Needs Debian's ``webkit2gtk-driver`` (``WebKitWebDriver`` and the MiniBrowser it drives) and,
because WebKitGTK draws into a display even when nobody looks, ``xvfb`` (``Xvfb``) when no
display is set; ``.ci/run`` installs both. Without them the tests are skipped with the reason
(in CI they fail).

WebKitWebDriver does not hand out the browser's console (Selenium's ``get_log`` is a
Chromium extension), so the test's web server adds one small script at the top of every
page it serves: it records every uncaught error, failed script or stylesheet load and
unhandled promise rejection into ``window.__kitErrors``, which the test reads after loading.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.test_site import HTML, _NOTEBOOK_PANEL_STATE, _unavailable

pytestmark = pytest.mark.browser

WEBKIT_DRIVER = shutil.which("WebKitWebDriver")
MINIBROWSER = next(iter(sorted(Path("/usr/lib").glob("*/webkit2gtk-4.*/MiniBrowser"))), None)

#: Recorded before any of the page's own scripts run.
ERROR_PROBE = (
    b"<script>window.__kitErrors=[];"
    b"addEventListener('error',e=>{const t=e.target;"
    b"__kitErrors.push(t&&t!==window&&(t.src||t.href)?'failed to load '+(t.src||t.href)"
    b":(e.message+' at '+(e.filename||'')+':'+(e.lineno||''))) },true);"
    b"addEventListener('unhandledrejection',e=>__kitErrors.push('unhandled rejection: '+"
    b"(e.reason&&(e.reason.stack||e.reason.message)||e.reason)));</script>"
)

SITE_PAGES = ["intro.html", "chapters/instructor-guide.html", "notebooks/02-synthetic-cohort.html",
              "notebooks/06-membership-inference-and-beacons.html"]


@pytest.fixture(scope="module")
def probed_site():
    """The built book on 127.0.0.1, every HTML page with :data:`ERROR_PROBE` first in its head."""
    if not (HTML / "index.html").is_file():
        pytest.fail("_build/html/index.html is missing: build the book first (make test does)")

    class ProbeHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send_head(self):
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            if path.suffix != ".html" or not path.is_file():
                return super().send_head()
            body = path.read_bytes().replace(b"<head>", b"<head>" + ERROR_PROBE, 1)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            import io

            return io.BytesIO(body)

    handler = functools.partial(ProbeHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def display():
    """An X display for WebKitGTK: the session's own, or a private Xvfb started here."""
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        yield os.environ.get("DISPLAY", "")
        return
    xvfb = shutil.which("Xvfb")
    if not xvfb:
        _unavailable("no display and no Xvfb (Debian package xvfb): WebKitGTK needs a display to draw into")
    read, write = os.pipe()
    server = subprocess.Popen([xvfb, "-displayfd", str(write), "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
                              pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        _unavailable("Xvfb did not start")
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def webkit(display, tmp_path_factory):
    if not WEBKIT_DRIVER or not MINIBROWSER:
        _unavailable("WebKitWebDriver or MiniBrowser not installed (Debian package webkit2gtk-driver)")
    from selenium import webdriver
    from selenium.webdriver.webkitgtk.options import Options
    from selenium.webdriver.webkitgtk.service import Service

    options = Options()
    options.binary_location = str(MINIBROWSER)
    options.add_argument("--automation")  # MiniBrowser refuses to be driven without it
    env = dict(os.environ, DISPLAY=display, XDG_RUNTIME_DIR=str(tmp_path_factory.mktemp("xdg")))
    driver = webdriver.WebKitGTK(options=options, service=Service(executable_path=WEBKIT_DRIVER, env=env))
    driver.set_page_load_timeout(60)
    driver.set_window_size(1280, 900)
    yield driver
    driver.quit()


def page_errors(browser, site: str) -> list[str]:
    """Errors the probe recorded, without those about hosts other than the site's (offline CDNs)."""
    errors = browser.execute_script("return window.__kitErrors || null")
    assert errors is not None, "the error probe is missing: the page was not served by the test server"
    local = urlparse(site).netloc
    return [e for e in errors if "://" not in e or local in e]


def test_the_probe_records_a_script_error(webkit, probed_site):
    webkit.get(probed_site + "intro.html")
    webkit.execute_script("setTimeout(() => { throw new Error('probe works'); }, 0)")
    time.sleep(0.5)
    assert any("probe works" in e for e in page_errors(webkit, probed_site))


@pytest.mark.parametrize("page", SITE_PAGES)
def test_site_pages_load_in_webkit_without_script_errors(webkit, probed_site, page):
    webkit.get(probed_site + page)
    time.sleep(1)  # deferred scripts and MathJax
    assert webkit.find_elements("css selector", "article h1"), f"{page}: no article heading in WebKit"
    errors = page_errors(webkit, probed_site)
    assert not errors, f"{page}: script errors in WebKit: {errors}"
    if "06-membership" in page:
        rendered = webkit.execute_script("return document.querySelectorAll('mjx-container').length")
        assert rendered, f"{page}: no formula rendered in WebKit"


def test_jupyterlite_opens_the_learner_edition_in_webkit(webkit, probed_site):
    if not (HTML / "lite" / "lab" / "index.html").is_file():
        _unavailable("the JupyterLite site is not built (make book builds it)")
    webkit.get(probed_site + "lite/lab/index.html?path=learner/01-repository-catalogue.ipynb")
    deadline, state = time.monotonic() + 90, None
    while time.monotonic() < deadline:
        state = webkit.execute_script(_NOTEBOOK_PANEL_STATE)
        if state and state["code"] and "Lesson at a glance" in state["text"]:
            break
        time.sleep(1)
    assert state and state["code"] and "Lesson at a glance" in state["text"], f"JupyterLite in WebKit: {state}"
    errors = page_errors(webkit, probed_site)
    assert not errors, f"JupyterLite: script errors in WebKit: {errors}"
