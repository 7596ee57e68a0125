"""Stopping a lesson cleanly where its environment cannot run the rest.

Some parts of a lesson need more than every route offers: segment search needs more SNPs
per chromosome than the browser's lite world has. Rather than let every later cell fail
with its own error, the lesson checks once, before the part that needs it, and
:func:`continue_if` stops there with one short message saying what to do. In Jupyter
("Run All") execution stops at that cell; the message is shown without a traceback.
"""

from __future__ import annotations

__all__ = ["LessonStop", "continue_if"]


class LessonStop(RuntimeError):
    """The rest of the lesson cannot run here; the message says why and where it can."""

    def _render_traceback_(self) -> list[str]:  # IPython shows this instead of a traceback
        return [f"The lesson stops here: {self}"]


def continue_if(condition: bool, why: str) -> None:
    """Raise :class:`LessonStop` with ``why`` unless ``condition`` holds.

    Examples
    --------
    >>> continue_if(True, "never shown")
    >>> continue_if(False, "this world has too few SNPs")
    Traceback (most recent call last):
    ...
    genshare.lesson.LessonStop: this world has too few SNPs
    """
    if not condition:
        raise LessonStop(why)
