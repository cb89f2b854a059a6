"""One error type for everything a learner can get wrong, with messages in Chinese."""

from __future__ import annotations

import difflib


class CrmkitError(ValueError):
    """A learner-facing error: the message says what is wrong and what is allowed."""


class ConfigError(CrmkitError):
    """An invalid generator setting."""


def nearest(name: str, options) -> str | None:
    """The option most similar to `name`, or None when nothing is close."""
    matches = difflib.get_close_matches(str(name), [str(o) for o in options], n=1, cutoff=0.5)
    return matches[0] if matches else None


def did_you_mean(name: str, options) -> str:
    """`是否想用 'price'？` when an option is close to `name`, else an empty string."""
    match = nearest(name, options)
    return f"是否想用 '{match}'？" if match else ""
