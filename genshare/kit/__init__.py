"""The instructor's kit: what a teacher needs around the lessons.

One idea per module:

- :mod:`genshare.kit.lessons`: every lesson's estimated time, read from ``lessons.csv`` (the
  one machine-readable source) and checked against what each page states;
- :mod:`genshare.kit.schedule`: half-day, full-day and two-day plans computed from those times;
- :mod:`genshare.kit.notes`: the misconceptions the exercise checks know, per lesson, for the
  instructor notes page;
- :mod:`genshare.kit.vendor`: pinned npm packages (MathJax, reveal.js) copied into the build;
- :mod:`genshare.kit.printable`: the learner and instructor PDFs, printed by headless Chromium;
- :mod:`genshare.kit.slides`: one reveal.js slide deck per part of the book.

These modules work in a source checkout (they read the pages, notebooks and build output);
none of them is needed by the lessons themselves.
"""
