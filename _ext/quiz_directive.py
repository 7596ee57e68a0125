"""Sphinx extension: the ``quiz`` directive shows a page's checks for understanding in a chapter.

Usage in a MyST chapter (the argument is the page key in ``data/quizzes.json``)::

    ```{quiz} reidentification
    ```

The HTML is the same that :func:`genshare.quiz.quiz` gives a notebook, so the questions are
stored once and look the same in the book and in JupyterLab. Other builders get the
questions as plain text.
"""

from __future__ import annotations

from docutils import nodes
from docutils.parsers.rst import Directive

from genshare.paths import data_dir
from genshare.quiz import arrange, load_quizzes, render_html


class QuizDirective(Directive):
    required_arguments = 1
    has_content = False

    def run(self):
        env = self.state.document.settings.env
        path = data_dir() / "quizzes.json"
        env.note_dependency(str(path))
        try:
            questions = arrange(load_quizzes(path))[self.arguments[0]]
        except KeyError:
            raise self.error(f"quiz: no questions for page {self.arguments[0]!r} in {path}") from None
        except ValueError as error:
            raise self.error(f"quiz: {error}") from None
        text = "\n".join(f"{q.prompt} " + " / ".join(o.text for o in q.options) for q in questions)
        return [nodes.raw("", render_html(questions), format="html"), nodes.raw("", text, format="latex")]


def setup(app):
    app.add_directive("quiz", QuizDirective)
    app.add_css_file("quiz.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
