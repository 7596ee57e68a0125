"""Answer forms: how a learner's answer is read (a number, a share, ids, several values), and how
answers are encoded as JSON for answer files and marking."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # annotations only: the registry imports this module
    from genshare.exercises.registry import Context


class AnswerFormError(ValueError):
    """The answer is not in a form the exercise can read (the message says what is expected)."""


# --------------------------------------------------------------------------- forms


def _scalar(value: Any, what: str) -> float:
    """A finite float from a Python/numpy number, a 1-element container or a numeric string."""
    if isinstance(value, (pd.DataFrame, pd.Series, np.ndarray, list, tuple)):
        flat = np.asarray(value, dtype=object).ravel()
        if flat.size != 1:
            raise AnswerFormError(f"expected one number ({what}); got {flat.size} values")
        value = flat[0]
    if isinstance(value, (bool, np.bool_)):
        raise AnswerFormError(f"expected a number ({what}); got {value!r}, a yes/no value")
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            value = float(text)
        except ValueError:
            raise AnswerFormError(f"expected a number ({what}); got the text {value!r}") from None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise AnswerFormError(f"expected a number ({what}); got {type(value).__name__}") from None
    if not math.isfinite(number):
        raise AnswerFormError(f"expected a finite number ({what}); got {number}")
    return number


class Form:
    """How an exercise reads an answer: :meth:`read` normalises it, :meth:`same` compares."""

    #: What the learner should give, in words (used in messages).
    what = "an answer"

    def read(self, answer: Any, ctx: Context) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def same(self, a: Any, b: Any) -> bool:
        return a == b


@dataclass(frozen=True)
class Number(Form):
    """A number, within ``tolerance`` (absolute). ``count=True`` also accepts a table or
    list whose length is the number (e.g. the matching rows instead of their count)."""

    what: str = "a number"
    tolerance: float = 1e-9
    count: bool = False

    def read(self, answer: Any, ctx: Context) -> float:
        if self.count and isinstance(
            answer, (pd.DataFrame, pd.Series, list, tuple, set, frozenset, pd.Index, np.ndarray)
        ):
            if not (isinstance(answer, (list, tuple, np.ndarray)) and np.size(answer) == 1):
                return float(len(answer))
        return _scalar(answer, self.what)

    def same(self, a: float, b: float) -> bool:
        return abs(a - b) <= self.tolerance + 1e-12


@dataclass(frozen=True)
class Share(Form):
    """A share: a fraction (``0.85``), a percentage (``85`` or ``"85%"``), within ``tolerance``
    (as a fraction; ``0.006`` accepts a percentage rounded to a whole number)."""

    what: str = "a share (fraction or percentage)"
    tolerance: float = 0.006

    def read(self, answer: Any, ctx: Context) -> float:
        percent = isinstance(answer, str) and answer.strip().endswith("%")
        value = _scalar(answer.strip().rstrip("%") if percent else answer, self.what)
        if percent or value > 1:
            value /= 100
        if not 0 <= value <= 1:
            raise AnswerFormError(f"expected {self.what} between 0 and 1 (or 0% and 100%); got {answer!r}")
        return value

    def same(self, a: float, b: float) -> bool:
        return abs(a - b) <= self.tolerance + 1e-12


def _text(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip().casefold()


@dataclass(frozen=True)
class Ids(Form):
    """A set of ids or names, in any order and any container: a string, a list, a set, a
    Series, an Index, or a DataFrame (its ``column`` if it has one, else its index).

    ``aliases`` maps other accepted spellings (e.g. a repository's id) to the canonical one;
    ``rows`` maps a DataFrame's integer ``index`` column (a search result) to ids;
    ``select=(column, value)`` keeps a DataFrame's rows where ``column == value`` first.
    Comparison ignores case and surrounding spaces.
    """

    what: str = "a list of ids"
    column: str | None = None
    aliases: Callable[[Context], Mapping[str, str]] | None = None
    rows: Callable[[Context], Any] | None = None
    select: tuple[str, str] | None = None

    def read(self, answer: Any, ctx: Context) -> frozenset[str]:
        if isinstance(answer, pd.DataFrame) and self.select is not None and self.select[0] in answer.columns:
            answer = answer[answer[self.select[0]] == self.select[1]]
        if isinstance(answer, pd.DataFrame):
            if self.column is not None and self.column in answer.columns:
                values = answer[self.column]
            elif self.rows is not None and "index" in answer.columns:
                ids = np.asarray(self.rows(ctx))
                values = ids[answer["index"].to_numpy(dtype=int)]
            else:
                values = answer.index
        elif isinstance(answer, (str, np.str_)):
            values = [answer]
        elif isinstance(answer, Mapping):
            raise AnswerFormError(f"expected {self.what}; got a dictionary")
        elif isinstance(answer, Iterable):
            values = list(answer)
        elif answer is None:
            raise AnswerFormError(f"expected {self.what}; got None")
        else:
            raise AnswerFormError(f"expected {self.what}; got {type(answer).__name__}")
        aliases = {_text(k): _text(v) for k, v in (self.aliases(ctx) if self.aliases else {}).items()}
        out = set()
        for value in values:
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (str, np.str_)):
                raise AnswerFormError(f"expected {self.what} (text); got {value!r}")
            key = _text(value)
            out.add(aliases.get(key, key))
        return frozenset(out)

    def same(self, a: frozenset[str], b: frozenset[str]) -> bool:
        return a == b


@dataclass(frozen=True)
class Several(Form):
    """Several answers at once, e.g. ``(count, share)``: a tuple or list in the order of
    ``labels``, a dict keyed by the labels (any case), or a Series with those labels.
    ``reader`` may turn other objects (e.g. a summary Series) into the tuple first."""

    labels: tuple[str, ...] = ()
    forms: tuple[Form, ...] = ()
    reader: Callable[[Any], Any] | None = None

    @property
    def what(self) -> str:  # type: ignore[override]
        return "(" + ", ".join(self.labels) + ")"

    def read(self, answer: Any, ctx: Context) -> tuple:
        if self.reader is not None:
            try:
                answer = self.reader(answer)
            except (KeyError, TypeError, ValueError, AttributeError, IndexError):
                pass
        if isinstance(answer, pd.Series):
            answer = answer.to_dict() if not isinstance(answer.index, pd.RangeIndex) else answer.tolist()
        if isinstance(answer, Mapping):
            keys = {_text(k): v for k, v in answer.items()}
            if all(_text(label) in keys for label in self.labels):
                answer = [keys[_text(label)] for label in self.labels]
            else:
                answer = list(answer.values())
        if isinstance(answer, np.ndarray):
            answer = answer.tolist()
        if not isinstance(answer, (list, tuple)) or len(answer) != len(self.labels):
            raise AnswerFormError(f"expected {len(self.labels)} values in this order: {self.what}")
        return tuple(form.read(value, ctx) for form, value in zip(self.forms, answer, strict=True))

    def same(self, a: tuple, b: tuple) -> bool:
        return len(a) == len(b) and all(f.same(x, y) for f, x, y in zip(self.forms, a, b, strict=True))


# ---------------------------------------------------------------------- encoding


def encode_answer(answer: Any, _depth: int = 0) -> Any:
    """A JSON-ready form of an answer (tables, arrays and sets included), decoded by
    :func:`decode_answer`. Objects of other kinds are refused with ``TypeError``."""
    if _depth > 20:
        raise TypeError("answer nested too deeply")
    if answer is None or isinstance(answer, (bool, str)):
        return answer
    if isinstance(answer, (int, np.integer)):
        return int(answer)
    if isinstance(answer, (float, np.floating)):
        value = float(answer)
        return value if math.isfinite(value) else {"__float__": str(value)}
    if isinstance(answer, np.bool_):
        return bool(answer)
    if isinstance(answer, np.str_):
        return str(answer)
    if isinstance(answer, pd.DataFrame):
        frame = answer.reset_index() if not isinstance(answer.index, pd.RangeIndex) else answer
        return {
            "__dataframe__": {
                "columns": [str(c) for c in frame.columns],
                "index_name": None if isinstance(answer.index, pd.RangeIndex) else str(frame.columns[0]),
                "data": [
                    [encode_answer(v, _depth + 1) for v in row] for row in frame.astype(object).itertuples(index=False)
                ],
            }
        }
    if isinstance(answer, pd.Series):
        return {
            "__series__": {
                "index": [encode_answer(v, _depth + 1) for v in answer.index.tolist()],
                "values": [encode_answer(v, _depth + 1) for v in answer.astype(object).tolist()],
                "name": None if answer.name is None else str(answer.name),
            }
        }
    if isinstance(answer, (np.ndarray, pd.Index)):
        return [encode_answer(v, _depth + 1) for v in np.asarray(answer, dtype=object).tolist()]
    if isinstance(answer, (set, frozenset)):
        return {"__set__": [encode_answer(v, _depth + 1) for v in sorted(answer, key=str)]}
    if isinstance(answer, (list, tuple)):
        return [encode_answer(v, _depth + 1) for v in answer]
    if isinstance(answer, Mapping):
        return {"__dict__": [[encode_answer(k, _depth + 1), encode_answer(v, _depth + 1)] for k, v in answer.items()]}
    if isinstance(answer, pd.Timestamp):
        return str(answer)
    raise TypeError(f"cannot record an answer of type {type(answer).__name__}")


def decode_answer(data: Any, _depth: int = 0) -> Any:
    """The answer encoded by :func:`encode_answer` (tables back as DataFrames)."""
    if _depth > 40:
        raise ValueError("answer nested too deeply")
    if isinstance(data, list):
        return [decode_answer(v, _depth + 1) for v in data]
    if isinstance(data, dict):
        if set(data) == {"__float__"}:
            return float(data["__float__"])
        if set(data) == {"__set__"}:
            return set(decode_answer(v, _depth + 1) for v in data["__set__"] if not isinstance(v, (list, dict)))
        if set(data) == {"__dict__"}:
            return {
                decode_answer(k, _depth + 1) if not isinstance(k, (list, dict)) else str(k): decode_answer(
                    v, _depth + 1
                )
                for k, v in data["__dict__"]
            }
        if set(data) == {"__series__"}:
            body = data["__series__"]
            return pd.Series(
                [decode_answer(v, _depth + 1) for v in body["values"]],
                index=[decode_answer(v, _depth + 1) for v in body["index"]],
                name=body.get("name"),
                dtype=object,
            ).infer_objects()
        if set(data) == {"__dataframe__"}:
            body = data["__dataframe__"]
            frame = pd.DataFrame(
                [[decode_answer(v, _depth + 1) for v in row] for row in body["data"]], columns=body["columns"]
            ).infer_objects()
            if body.get("index_name") is not None and body["index_name"] in frame.columns:
                frame = frame.set_index(body["index_name"])
            return frame
        return {str(k): decode_answer(v, _depth + 1) for k, v in data.items()}
    return data
