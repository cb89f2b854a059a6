"""Where checks get their shop from, the cache of expected values and the session's record.

Checks follow the shop the notebook is bound to (`crmkit.session`): by default the reference
shop is ``crmkit.shop.reference_shop()``, the pristine copy of the bound shop, whatever was
loaded later. Tests and tools may supply another one with `use_shop`.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict

_OVERRIDE: list = []
_CACHE: OrderedDict = OrderedDict()  # (exercise id, name, id(shop)) -> (shop, value)
_CACHE_SIZE = 256

# The session's record, for `progress()` and the progressive hints; "seed" is the bound shop
# the statuses were recorded for.
# status: exercise id -> (status, points) of its last check
STATE: dict = {"status": {}, "hints": {}, "last_chapter": None, "seed": None}


def current_shop():
    """The reference shop expected values are computed from: the notebook's bound shop."""
    if _OVERRIDE:
        return _OVERRIDE[-1]
    from ..shop import reference_shop

    return reference_shop()


def reference_for(shop):
    """The shop to compute expected values from when a learner passes ``shop=``.

    A copy of a loaded shop (``ck.load_shop(seed=…)``, ``ck.start``) is replaced by its pristine
    original, so a learner who changed their copy still gets correct checks; any other shop is
    used as given.
    """
    from ..shop import loaded_pristine

    try:
        pristine = loaded_pristine(shop.config.seed)
        same_origin = pristine is not None and pristine.config == shop.config
    except Exception:  # noqa: BLE001 - not a crmkit shop: use it as given
        return shop
    return pristine if same_origin else shop


@contextlib.contextmanager
def use_shop(shop):
    """Compute expected values from `shop` inside the block (for tests and tools)."""
    _OVERRIDE.append(shop)
    try:
        yield shop
    finally:
        _OVERRIDE.pop()


def shop_seed(shop):
    try:
        return shop.config.seed
    except Exception:
        return None


def cached(ex_id: str, name: str, shop, compute):
    """``compute(shop)`` once per (exercise, name, shop object)."""
    key = (ex_id, name, id(shop))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is shop:
        _CACHE.move_to_end(key)
        return hit[1]
    value = compute(shop)
    _CACHE[key] = (shop, value)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return value


def clear_cache() -> None:
    _CACHE.clear()


def reset_session() -> None:
    STATE["status"].clear()
    STATE["hints"].clear()
    STATE["last_chapter"] = None
    STATE["seed"] = None


def follow_binding() -> None:
    """Forget the recorded results once the notebook is bound to another shop: they were
    judged against the old one (the setup cell was re-run with another SEED)."""
    from ..session import bound_seed

    seed = bound_seed()
    if STATE["seed"] != seed:
        STATE["status"].clear()
        STATE["seed"] = seed


class CheckContext:
    """What a diagnosis predicate may look at: the shop, the expected value, variants."""

    def __init__(self, exercise, shop, expected):
        self.exercise = exercise
        self.shop = shop
        self.expected = expected

    def variant(self, name: str, compute):
        """The value a typical mistake produces, computed once per shop."""
        return cached(self.exercise.id, "variant:" + name, self.shop, compute)

    def same(self, answer, value) -> bool:
        """Whether `answer` equals `value` under the exercise's comparator."""
        try:
            return self.exercise.comparator.compare(answer, value) is None
        except Exception:
            return False
