"""Maths renders offline: the book serves its own pinned MathJax."""

from __future__ import annotations

import io
import json
import stat
import tarfile

import pytest
import yaml

from genshare.kit.vendor import PACKAGES, STAMP, NpmPackage, vendor
from genshare.paths import PROJECT_ROOT
from tests.test_site import CHROMEDRIVER, CHROMIUM, HTML, _unavailable, site  # noqa: F401 (fixture)

#: Pages whose source has display or inline maths.
MATH_PAGES = ["notebooks/06-membership-inference-and-beacons.html", "chapters/before-you-share.html"]


def test_the_book_loads_mathjax_from_its_own_static_folder():
    config = yaml.safe_load((PROJECT_ROOT / "_config.yml").read_text())
    path = config["sphinx"]["config"]["mathjax_path"]
    assert "://" not in path and path == "../mathjax/tex-mml-chtml.js"
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert "genshare.kit.vendor mathjax _vendor/mathjax" in makefile
    assert PACKAGES["mathjax"].spec == "mathjax@3.2.2"


def _fake_npm(folder, payload: bytes):
    """An ``npm`` that 'packs' a tarball holding es5/tex-mml-chtml.js = payload."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("package/es5/tex-mml-chtml.js")
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
    tarball = folder / "fake-1.0.0.tgz"
    tarball.write_bytes(buffer.getvalue())
    script = folder / "npm"
    script.write_text(
        "#!/bin/sh\n"
        f"while [ \"$1\" != \"--pack-destination\" ]; do shift; done\ncp {tarball} \"$2\"/\n"
        f"echo '{json.dumps([{'filename': tarball.name}])}'\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script, tarball


def test_vendor_copies_the_pinned_folder_and_refuses_another_tarball(tmp_path):
    from genshare.kit.vendor import _integrity

    script, tarball = _fake_npm(tmp_path, b"window.MathJax = {};")
    good = NpmPackage("fake", "1.0.0", _integrity(tarball), ("es5",))
    out = vendor(good, tmp_path / "out", npm=str(script))
    assert (out / "tex-mml-chtml.js").read_bytes() == b"window.MathJax = {};"
    assert (out / STAMP).read_text().startswith("fake@1.0.0 ")
    bad = NpmPackage("fake", "1.0.0", "sha512-" + "A" * 86 + "==", ("es5",))
    with pytest.raises(RuntimeError, match="integrity is sha512-.*not the pinned"):
        vendor(bad, tmp_path / "other", npm=str(script))
    assert not (tmp_path / "other" / "tex-mml-chtml.js").exists()


def test_vendor_without_npm_says_what_to_install(tmp_path):
    with pytest.raises(RuntimeError, match="npm is not installed"):
        vendor(PACKAGES["mathjax"], tmp_path / "out", npm=str(tmp_path / "no-npm"))


@pytest.fixture(scope="module")
def offline_browser(tmp_path_factory):
    """Headless Chromium that can reach 127.0.0.1 only: every other host fails to resolve."""
    if not CHROMIUM or not CHROMEDRIVER:
        _unavailable("Chromium or chromedriver not installed (Debian packages chromium, chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-offline')}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.mark.browser
@pytest.mark.parametrize("page", MATH_PAGES)
def test_every_formula_renders_with_the_network_blocked(offline_browser, site, page):  # noqa: F811
    from selenium.webdriver.support.ui import WebDriverWait

    if not (HTML / "mathjax" / "tex-mml-chtml.js").is_file():
        pytest.fail("_build/html/mathjax is missing: make book runs make mathjax first")
    browser = offline_browser
    # The network is really blocked: an outside host does not load.
    from selenium.common.exceptions import WebDriverException

    with pytest.raises(WebDriverException, match="ERR_NAME_NOT_RESOLVED"):
        browser.get("https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js")
    browser.get(site + page)
    scripts = [s.get_attribute("src") for s in browser.find_elements("css selector", "script[src*='mathjax']")]
    assert scripts and all(s.startswith(site) for s in scripts), f"{page}: MathJax from {scripts}"
    WebDriverWait(browser, 30).until(
        lambda b: b.execute_script("return !!(window.MathJax && MathJax.startup && MathJax.startup.document"
                                   " && document.querySelectorAll('mjx-container').length)"),
        f"{page}: MathJax did not render offline",
    )
    browser.set_script_timeout(30)
    browser.execute_async_script("const done = arguments[0]; MathJax.startup.promise.then(() => done(true));")
    formulas = browser.execute_script("return document.querySelectorAll('article .math').length")
    rendered = browser.execute_script("return document.querySelectorAll('article .math mjx-container').length")
    errors = browser.execute_script("return document.querySelectorAll('mjx-merror').length")
    assert formulas and rendered == formulas and not errors, f"{page}: {rendered} of {formulas} formulas rendered, {errors} errors"
    # Rendered with MathJax's own web fonts, which came from the site too.
    fonts = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('woff'))")
    assert fonts and all(f.startswith(site) for f in fonts), fonts
    text = browser.execute_script("return document.querySelector('article').innerText")
    assert "\\frac" not in text and "$$" not in text, f"{page}: raw TeX on the page"
