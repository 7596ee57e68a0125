"""genshare.glue writes the same output as myst_nb.glue, so the book finds the values."""

import pytest
from IPython.core.interactiveshell import InteractiveShell

from genshare.glue import glue


def _captured(function, *args, **kwargs):
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    with capture_output() as captured:
        function(*args, **kwargs)
    return [(output.data, output.metadata) for output in captured.outputs]


@pytest.mark.parametrize("display", [False, True])
@pytest.mark.parametrize("value", [38, 0.125, "six", [1, 2]])
def test_same_output_as_myst_nb(value, display):
    myst_nb_glue = pytest.importorskip("myst_nb").glue
    assert _captured(glue, "x", value, display=display) == _captured(myst_nb_glue, "x", value, display=display)


@pytest.mark.parametrize("name", ["", "two words", "1st", None, 3])
def test_name_must_be_an_identifier(name):
    with pytest.raises(ValueError, match="name"):
        glue(name, 1)
