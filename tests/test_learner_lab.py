"""The learner edition, run cell by cell in plain JupyterLab in a real (headless) Chromium.

What learners do on Binder or with ``make lab``: open a notebook of ``learner/`` in
JupyterLab (the installed, lean environment), run all cells, read what appears. This module
does exactly that in two configurations,

- **without jupyterlab-myst** (disabled through ``labconfig/page_config.json``, as a
  frontend without MyST shows the notebooks: Colab, JupyterLite, VS Code render plain
  Markdown too): every learner notebook;
- **with jupyterlab-myst** (as on Binder): notebook 05 (CI time),

and checks, for each notebook, that

- every code cell ran and none raised (and no check cell already says "correct");
- the rendered text (markdown cells and outputs) has no MyST residue: no ``{glue``,
  ``{doc}``, ``{term}``, ``{cite``, ``]{.static}``, ``:class:``, "Citation Not Found", and no
  unfilled ``{name:spec}`` field in a computed sentence;
- every computed sentence (a ``say()`` cell) is visible and states the numbers the book
  states: the template filled with the values the full edition glued
  (``notebooks/*.ipynb``, the book's run on the default world), rendered as CommonMark, has
  the same number tokens as the sentence in the browser;
- the setup cell names the world: the module's default world, seed 2026.

Errors are read from JupyterLab's output models (``output.type == "error"``): in JupyterLab
4.5 a traceback is rendered as ``.jp-OutputArea-output[data-mime-type=
"application/vnd.jupyter.stderr"]``, the same element as a warning on stderr, and no element
carries ``application/vnd.jupyter.error``. Warnings on stderr are reported as pytest warnings.

Cells outside the window are skipped by the browser's rendering (JupyterLab's default
``contentVisibility`` windowing: ``content-visibility: auto``), so ``innerText`` is empty for
them; the test switches that off with one style rule before it reads the text.

One browser page serves all notebooks of a configuration: after each notebook the test
closes it unsaved and shuts its kernel down (and checks that no kernel is left), so the next
starts from a fresh kernel; after a failure the next notebook gets a freshly loaded page. A
WebDriver error (the browser, not the notebook, stopped answering) is retried once on a
fresh page and reported as a warning. Screenshots: ``_build/report/learner-lab-*.png``.

Needs ``chromium``, ``chromium-driver``, selenium, JupyterLab and jupyterlab-myst; without
them these tests are skipped with the reason, in CI (``CI`` set) they fail instead.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from genshare.glue import notebook_values as glued_values, render
from genshare.paths import PROJECT_ROOT

pytestmark = pytest.mark.browser

LEARNER = PROJECT_ROOT / "learner"
REPORT = PROJECT_ROOT / "_build" / "report"
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")

NO_MYST, MYST = "no-myst", "myst"
NOTEBOOKS = sorted(p.name for p in LEARNER.glob("*.ipynb"))
#: With jupyterlab-myst: the learner edition is plain Markdown, which jupyterlab-myst renders
#: like any other; one short notebook shows it (CI time).
WITH_MYST = ["05-linkage-of-quasi-identifiers.ipynb"]
CASES = [(NO_MYST, name) for name in NOTEBOOKS] + [(MYST, name) for name in WITH_MYST]
CASE_IDS = [f"{config}-{name.split('-')[0]}" for config, name in CASES]
#: The notebook of which a screenshot is saved to _build/report/ in each configuration.
SCREENSHOT = "05-linkage-of-quasi-identifiers.ipynb"

KERNEL_TIMEOUT = 120  # s, from opening the page to an idle kernel
RUN_TIMEOUT = 240  # s, from Run All to every cell executed and the kernel idle
STALL = 20  # s that the kernel may sit idle with cells still unexecuted before the run counts as stopped

#: Markup that means a MyST role, directive option or citation reached the learner unrendered.
RESIDUE = ["{glue", "{doc}", "{term}", "{cite", "]{.static}", ":class:", "Citation Not Found"]
#: A field of a say() template left unfilled.
TEMPLATE_FIELD = re.compile(r"\{[A-Za-z_]\w*(:[^{}]*)?\}")
NUMBER = re.compile(r"\d[\d,.]*%?")
MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+\$", re.DOTALL)
DEFAULT_WORLD = "World: the module's default world (seed 2026"
CORRECT = re.compile(r"Exercise \d+\w?\.\d+: correct")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser tests; .ci/run installs chromium and chromium-driver)")
    pytest.skip(reason)


# -- the notebooks' files -----------------------------------------------------------------------


def read_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def kind(cell: dict) -> str | None:
    """The learner edition's role of a cell: setup, computed-text, answer, or None."""
    return cell.get("metadata", {}).get("genshare", {}).get("kind")




def book_values(learner: dict) -> dict[str, str]:
    """The values the book shows for a learner notebook: the glued outputs of its full edition."""
    source = learner["metadata"]["genshare"]["source"]
    return glued_values(read_notebook(PROJECT_ROOT / source))


def say_template(cell: dict) -> str:
    """The template string a computed-text cell passes to ``say()``."""
    calls = [
        node for node in ast.walk(ast.parse("".join(cell["source"])))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "say"
    ]
    assert len(calls) == 1 and isinstance(calls[0].args[0], ast.Constant), f"cell {cell.get('id')}: expected one say(r\"\"\"...\"\"\") call"
    return calls[0].args[0].value


class _Text(HTMLParser):
    """The text of an HTML fragment, one piece per text node (as the browser side reads it)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def markdown_text(markdown: str) -> str:
    """What a CommonMark renderer (with GFM tables, as JupyterLab's) shows of ``markdown``."""
    from markdown_it import MarkdownIt

    parser = _Text()
    parser.feed(MarkdownIt("commonmark").enable("table").render(markdown))
    return " ".join(parser.parts)


def numbers(text: str) -> Counter:
    """The number tokens of a text (maths left out: the browser typesets it), without a trailing full stop or comma."""
    return Counter(token.rstrip(".,") for token in NUMBER.findall(MATH.sub(" ", text)))


def test_number_tokens_of_a_rendered_sentence():
    text = markdown_text("Of **35,852** adults, 94.7% are unique ($p = 0.5$); see [Sweeney, 2000](https://example.org/1990).")
    assert numbers(text) == Counter(["35,852", "94.7%", "2000"])


# -- JupyterLab and the browser -----------------------------------------------------------------


@contextlib.contextmanager
def running_jupyterlab(root: Path, config: str):
    """Plain JupyterLab from this environment serving a copy of learner/ on 127.0.0.1.

    ``config`` is ``"myst"`` (jupyterlab-myst enabled, as on Binder) or ``"no-myst"``
    (disabled in this server's ``labconfig/page_config.json``). Its own config, data, settings
    and workspace folders keep a developer's own JupyterLab settings out. The kernel imports
    this checkout's ``genshare`` (``PYTHONPATH``) and reads the default world.
    """
    shutil.copytree(LEARNER, root / "learner")
    config_dir = root / "config"
    (config_dir / "labconfig").mkdir(parents=True)
    if config == NO_MYST:
        (config_dir / "labconfig" / "page_config.json").write_text(json.dumps({"disabledExtensions": {"jupyterlab-myst": True}}))
    env = {key: value for key, value in os.environ.items() if key != "GENSHARE_WORLD"}
    env.update(
        JUPYTER_CONFIG_DIR=str(config_dir), JUPYTER_RUNTIME_DIR=str(root / "runtime"), JUPYTER_DATA_DIR=str(root / "data"),
        JUPYTERLAB_SETTINGS_DIR=str(root / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(root / "workspaces"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
    )
    listing = subprocess.run([sys.executable, "-m", "jupyter", "labextension", "list"], env=env, capture_output=True, text=True, timeout=120)
    states = re.findall(r"jupyterlab-myst v\S+ (\w+)", re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr))
    expected = "enabled" if config == MYST else "disabled"
    assert states == [expected], (
        f"jupyter labextension list (JUPYTER_CONFIG_DIR={config_dir}) should report jupyterlab-myst {expected}, "
        f"reports {states}:\n{listing.stdout}{listing.stderr}"
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log_path = root / "jupyterlab.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={port}", "--IdentityProvider.token=", "--ServerApp.password=",
             f"--ServerApp.root_dir={root / 'learner'}", "--LabApp.news_url=",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.expose_app_in_browser=True"],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        pytest.fail(f"JupyterLab did not start: {log_path.read_text()[-2000:]}")
                    time.sleep(0.5)
            yield f"http://127.0.0.1:{port}/"
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=30)


@pytest.fixture(scope="module")
def learner_lab(tmp_path_factory):
    """``learner_lab(config)``: the URL of a JupyterLab in that configuration, started on first use."""
    try:
        import jupyterlab  # noqa: F401
        import jupyterlab_myst  # noqa: F401
    except ImportError:
        _unavailable("jupyterlab and jupyterlab-myst are not installed (the learners' environment, binder/requirements.txt)")
    servers: dict[str, str] = {}
    with contextlib.ExitStack() as stack:
        def start(config: str) -> str:
            if config not in servers:
                servers[config] = stack.enter_context(running_jupyterlab(tmp_path_factory.mktemp(f"lab-{config}"), config))
            return servers[config]

        yield start


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
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


# The open notebook's kernel and progress: how many code cells, how many executed, how many
# with an error output, and the kernel's status.
_PROGRESS = """
const app = window.jupyterapp, name = arguments[0];
const panel = app && app.shell.currentWidget;
if (!panel || !panel.context || panel.context.path !== name || !panel.content) return null;
const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
const code = panel.content.widgets.filter(cell => cell.model.type === 'code');
const hasError = cell => Array.from({length: cell.model.outputs.length}, (_, j) => cell.model.outputs.get(j).type).includes('error');
return {status: kernel ? kernel.status : 'no kernel', ready: panel.sessionContext.isReady, code: code.length,
        executed: code.filter(cell => cell.model.executionCount !== null).length, errors: code.filter(hasError).length};
"""

# Every cell of the open notebook: the model's execution count, output types and errors, and
# the rendered text of its markdown or outputs, three ways: what is shown (innerText), all
# text (textContent, also inside closed <details>), and the text nodes without maths joined by
# spaces (for comparing numbers).
_SNAPSHOT = """
const panel = window.jupyterapp.shell.currentWidget;
const MATH = 'mjx-container, mjx-assistive-mml, .MathJax, .MathJax_Preview, .katex, .katex-display, math';
function texts(element) {
  const clone = element.cloneNode(true);
  clone.querySelectorAll('style, script').forEach(e => e.remove());
  const all = clone.textContent;
  clone.querySelectorAll(MATH).forEach(e => e.remove());
  const walker = document.createTreeWalker(clone, NodeFilter.SHOW_TEXT), parts = [];
  while (walker.nextNode()) parts.push(walker.currentNode.nodeValue);
  return {shown: element.innerText, all: all, words: parts.join(' ')};
}
return panel.content.widgets.map((cell, index) => {
  const model = cell.model, result = {index: index, type: model.type};
  if (model.type === 'markdown') {
    result.rendered = cell.rendered;
    const view = cell.node.querySelector('.jp-InputArea > .jp-MarkdownOutput, .jp-InputArea > .myst');
    result.markdown = view ? texts(view) : null;
  } else if (model.type === 'code') {
    result.executionCount = model.executionCount;
    result.outputTypes = [];
    result.errors = [];
    for (let j = 0; j < model.outputs.length; j++) {
      const output = model.outputs.get(j);
      result.outputTypes.push(output.type);
      if (output.type === 'error') { const e = output.toJSON(); result.errors.push(e.ename + ': ' + e.evalue); }
    }
    result.outputs = [...cell.node.querySelectorAll('.jp-OutputArea-output')].map(
      o => Object.assign({mime: o.getAttribute('data-mime-type') || ''}, texts(o)));
  }
  return result;
});
"""

_SHOW_ALL_CELLS = (
    "const style = document.createElement('style');"
    "style.textContent = '.jp-Notebook-cell { content-visibility: visible !important; }';"
    "document.head.appendChild(style);"
)

_MYST_PLUGINS = "return window.jupyterapp.listPlugins().filter(id => id.startsWith('jupyterlab-myst'))"

# Close the notebook without saving (its copy is thrown away) and shut its kernel down.
_CLOSE = """
const done = arguments[arguments.length - 1], app = window.jupyterapp, panel = app.shell.currentWidget;
if (panel && panel.context) panel.context.model.dirty = false;  // no 'save changes?' dialog
app.commands.execute('application:close-all')
  .then(() => app.serviceManager.sessions.shutdownAll())
  .then(() => done([...app.shell.widgets('main')].some(w => w.context) ? 'a document is still open' : 'ok'), error => done(String(error)));
"""


def running_kernels(lab: str) -> list:
    with urllib.request.urlopen(f"{lab}api/kernels", timeout=10) as response:
        return json.load(response)


#: The JupyterLab whose page the browser shows with no document open and no kernel running
#: (after a clean run); any other state, or a failure, means a fresh page for the next notebook.
_CLEAN_PAGE: dict[str, str] = {}

_RESTORED = """
const done = arguments[arguments.length - 1], app = window.jupyterapp;
if (!app) { done(false); return; }
app.restored.then(() => app.serviceManager.sessions.shutdownAll()).then(() => done(true), error => done(String(error)));
"""


def open_lab(browser, lab: str) -> None:
    """Load JupyterLab afresh (``?reset``: an empty workspace) and shut down any kernel left running."""
    browser.get(f"{lab}lab?reset")
    deadline = time.monotonic() + KERNEL_TIMEOUT
    while (restored := browser.execute_async_script(_RESTORED)) is not True:
        if isinstance(restored, str) or time.monotonic() > deadline:
            pytest.fail(f"JupyterLab at {lab} did not start in the browser: {restored}")
        time.sleep(0.5)


def run_all(browser, lab: str, config: str, name: str) -> list[dict]:
    """Open ``name`` in JupyterLab, run all cells, return the snapshot of every cell (see _SNAPSHOT)."""
    if _CLEAN_PAGE.pop("lab", None) != lab:
        open_lab(browser, lab)
    browser.execute_script("window.jupyterapp.commands.execute('docmanager:open', {path: arguments[0]}).catch(e => console.error(e));", name)
    deadline, state = time.monotonic() + KERNEL_TIMEOUT, None
    while not (state and state["ready"] and state["status"] == "idle"):
        if time.monotonic() > deadline:
            pytest.fail(f"{config}/{name}: the kernel was not ready after {KERNEL_TIMEOUT} s ({state})")
        time.sleep(0.5)
        state = browser.execute_script(_PROGRESS, name)

    plugins = browser.execute_script(_MYST_PLUGINS)
    if config == MYST:
        assert plugins, f"{name}: jupyterlab-myst should be enabled but none of its plugins is loaded"
    else:
        assert not plugins, f"{name}: jupyterlab-myst should be disabled but its plugins are loaded: {plugins}"

    browser.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells').catch(e => console.error(e));")
    started = time.monotonic()
    progress, idle_since = (None, None), None
    while True:
        time.sleep(0.5)
        state = browser.execute_script(_PROGRESS, name)
        if state is None:
            pytest.fail(f"{config}/{name}: the notebook is no longer the open document")
        now = time.monotonic()
        if state["status"] == "idle" and state["executed"] == state["code"]:
            break
        if state["status"] == "idle":
            if (state["executed"], state["errors"]) != progress:
                progress, idle_since = (state["executed"], state["errors"]), now
            elif state["errors"] and now - idle_since > 3:
                break  # an error stopped Run All: the rest stay unexecuted; the snapshot shows where
            elif now - idle_since > STALL:
                break  # stopped without an error; the test names the first unexecuted cell
        else:
            idle_since, progress = None, (None, None)
        if now - started > RUN_TIMEOUT:
            pytest.fail(f"{config}/{name}: Run All not finished after {RUN_TIMEOUT} s ({state})")

    browser.execute_script(_SHOW_ALL_CELLS)
    time.sleep(0.5)  # let the browser lay out the cells it skipped
    snapshot = browser.execute_script(_SNAPSHOT)
    if name == SCREENSHOT:
        REPORT.mkdir(parents=True, exist_ok=True)
        first_sentence = next(i for i, cell in enumerate(read_notebook(LEARNER / name)["cells"]) if kind(cell) == "computed-text")
        browser.execute_script(
            "window.jupyterapp.shell.currentWidget.content.widgets[arguments[0]].node.scrollIntoView({block: 'start'})", first_sentence
        )
        time.sleep(0.5)
        browser.save_screenshot(str(REPORT / f"learner-lab-{config}.png"))

    closed = browser.execute_async_script(_CLOSE)
    assert closed == "ok", f"{config}/{name}: could not shut down the kernel: {closed}"
    deadline = time.monotonic() + 30
    while running_kernels(lab) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not running_kernels(lab), f"{config}/{name}: kernels still running after shutdown"
    _CLEAN_PAGE["lab"] = lab
    return snapshot


def run_once(browser, lab: str, config: str, name: str) -> list[dict]:
    """:func:`run_all`, once more on a fresh page if the browser itself stopped answering.

    A WebDriver error (such as "Timed out receiving message from renderer" on a machine
    busy with other tests) is the test machinery's, not the notebook's; it is reported as a
    warning. A failure of the notebook (an assertion, a timeout of the kernel or of Run
    All) is not retried. A screenshot of each failure goes to _build/report/.
    """
    from selenium.common.exceptions import WebDriverException

    for attempt in (1, 2):
        try:
            return run_all(browser, lab, config, name)
        except (Exception, pytest.fail.Exception) as failure:
            with contextlib.suppress(Exception):
                REPORT.mkdir(parents=True, exist_ok=True)
                browser.save_screenshot(str(REPORT / f"learner-lab-failure-{config}-{name.split('-')[0]}-{attempt}.png"))
            if attempt == 2 or not isinstance(failure, WebDriverException):
                raise
            warnings.warn(f"{config}/{name}: the browser stopped answering ({failure.msg}); running the notebook again on a fresh page", stacklevel=1)
    raise AssertionError("unreachable")


_RUNS: dict[tuple[str, str], list[dict] | str] = {}


@pytest.fixture
def lab_run(request, browser, learner_lab):
    """(learner notebook, snapshot after Run All) for this test's case; each notebook runs once per configuration."""
    config, name = request.param
    if (config, name) not in _RUNS:
        try:
            _RUNS[config, name] = run_once(browser, learner_lab(config), config, name)
        except (Exception, pytest.fail.Exception) as failure:
            _RUNS[config, name] = str(failure)
            raise
    snapshot = _RUNS[config, name]
    if isinstance(snapshot, str):
        pytest.fail(f"the run of this notebook failed earlier: {snapshot}")
    notebook = read_notebook(LEARNER / name)
    assert len(snapshot) == len(notebook["cells"]), f"{name}: JupyterLab shows {len(snapshot)} cells, the file has {len(notebook['cells'])}"
    return notebook, snapshot


def source_head(cell: dict) -> str:
    lines = [line for line in "".join(cell["source"]).splitlines() if line.strip() and not line.startswith("#")]
    return (lines[0] if lines else "".join(cell["source"]).strip().splitlines()[0])[:100]


# -- the checks ---------------------------------------------------------------------------------

cases = pytest.mark.parametrize("lab_run", CASES, ids=CASE_IDS, indirect=True)


@cases
def test_every_cell_runs_without_error(lab_run):
    notebook, snapshot = lab_run
    name = notebook["metadata"]["genshare"]["source"].split("/")[-1]
    failed = [
        f"cell {cell['index']} ({source_head(notebook['cells'][cell['index']])!r}): {'; '.join(cell['errors'])}"
        for cell in snapshot if cell["type"] == "code" and cell["errors"]
    ]
    assert not failed, f"{name}: error output in the learner edition:\n" + "\n".join(failed)
    unexecuted = [cell["index"] for cell in snapshot if cell["type"] == "code" and cell["executionCount"] is None]
    assert not unexecuted, (
        f"{name}: Run All stopped: cells {unexecuted} not executed "
        f"(first: {source_head(notebook['cells'][unexecuted[0]])!r})"
    )
    shown = [(cell["index"], out["all"]) for cell in snapshot if cell["type"] == "code" for out in cell["outputs"]]
    leaked = [f"cell {index}: {text.strip()[:100]!r}" for index, text in shown if CORRECT.search(text)]
    assert not leaked, f"{name}: a check says 'correct' before the learner answered:\n" + "\n".join(leaked)
    stderr = [
        f"cell {cell['index']}: {out['all'].strip()[:200]!r}"
        for cell in snapshot if cell["type"] == "code"
        for out in cell["outputs"] if out["mime"] == "application/vnd.jupyter.stderr"
    ]
    if stderr:
        warnings.warn(f"{name}: output on stderr (shown to the learner in red):\n" + "\n".join(stderr), stacklevel=1)


@cases
def test_no_myst_residue_in_the_rendered_notebook(lab_run):
    notebook, snapshot = lab_run
    found = []
    for cell in snapshot:
        if cell["type"] == "markdown":
            if not cell["rendered"] or cell["markdown"] is None:
                found.append(f"cell {cell['index']}: markdown not rendered")
                continue
            pieces = [cell["markdown"]]
        elif cell["type"] == "code":
            pieces = cell["outputs"]
        else:
            continue
        for piece in pieces:
            for needle in RESIDUE:
                # Shown, or in text the learner can open (a closed <details>, a collapsed output).
                where, text = ("shown", piece["shown"]) if needle in piece["shown"] else ("hidden", piece["all"])
                at = text.find(needle)
                if at >= 0:
                    found.append(f"cell {cell['index']} ({where}): {needle!r} in {text[max(0, at - 60):at + 60]!r}")
            if cell["type"] == "code" and kind(notebook["cells"][cell["index"]]) == "computed-text":
                for match in TEMPLATE_FIELD.finditer(piece["all"]):
                    found.append(f"cell {cell['index']}: unfilled field {match.group(0)!r} in {piece['all'][:120]!r}")
    name = notebook["metadata"]["genshare"]["source"].split("/")[-1]
    assert not found, f"{name}: raw markup in the rendered notebook:\n" + "\n".join(sorted(set(found)))


@cases
def test_computed_sentences_show_the_books_numbers(lab_run):
    notebook, snapshot = lab_run
    name = notebook["metadata"]["genshare"]["source"].split("/")[-1]
    sentences = [i for i, cell in enumerate(notebook["cells"]) if kind(cell) == "computed-text"]
    if not sentences:
        pytest.skip(f"{name} has no computed sentences")
    values = book_values(notebook)
    problems = []
    for index in sentences:
        expected = numbers(markdown_text(render(say_template(notebook["cells"][index]), values)))
        outputs = [out for out in snapshot[index]["outputs"] if out["mime"] == "text/markdown"]
        if not outputs or not any(out["shown"].strip() for out in outputs):
            problems.append(f"cell {index}: no visible Markdown output (outputs: {[out['mime'] for out in snapshot[index]['outputs']]})")
            continue
        shown = numbers(" ".join(out["words"] for out in outputs))
        if shown != expected:
            problems.append(
                f"cell {index}: the book says {sorted((expected - shown).elements())} where JupyterLab shows "
                f"{sorted((shown - expected).elements())} in {outputs[0]['shown'][:160]!r}"
            )
    assert not problems, f"{name}: {len(problems)} of {len(sentences)} computed sentences differ from the book:\n" + "\n".join(problems)


@cases
def test_setup_cell_names_the_default_world(lab_run):
    notebook, snapshot = lab_run
    setup = [i for i, cell in enumerate(notebook["cells"]) if kind(cell) == "setup"]
    assert len(setup) == 1, f"expected one setup cell, found {len(setup)}"
    first_code = next(i for i, cell in enumerate(notebook["cells"]) if cell["cell_type"] == "code")
    assert setup[0] == first_code, "the setup cell is not the first code cell"
    shown = " ".join(out["shown"] for out in snapshot[setup[0]]["outputs"])
    assert DEFAULT_WORLD in shown, f"the setup cell does not name the default world: {shown[:300]!r}"
