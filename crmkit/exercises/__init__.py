"""Exercise declarations, one module per chapter (``ch01.py`` … ``ch08.py``) plus ``demo.py``.

Each module defines ``CHAPTER`` (``"3"`` for ch03, ``"demo"`` for demo) and ``EXERCISES``, a
list of `crmkit.grading.declare.Exercise`. Keep each exercise's wrong answers (one per
diagnosis) in its ``wrong_answers``: the test suite checks that every diagnosis fires.
"""
