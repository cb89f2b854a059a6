"""The SMS response model (短信触达的反应模型) shared by the generator's past campaigns
(``crmkit.synth.sms``) and the console's simulation (``crmkit.campaigns``), so both tell one story.

- A customer can respond when still active (not dropped out at the send) or a *prospect*
  (registered, never buys on their own: a coupon can still win a first order, rarely).
- A treated customer whose message is delivered and who would not have bought anyway
  ("organic") buys because of the message with probability
  ``offer_uplift x channel factor x offer factor`` (``persuasion_probability``).
- The control group only shows what customers do without a message, so a crowd's true
  uplift (treatment minus control conversion, undelivered messages counted in the treatment
  group) is ``delivery_rate x mean((1 - organic probability) x persuasion probability)``
  (``expected_uplift``).

Each figure is a labelled assumption in ``crmkit.config.CampaignSettings``. This module sits
below both the generator and the analysis modules: it imports only numpy and the vocabulary.
"""

from __future__ import annotations

import numpy as np

from .vocabulary import offer_value


def draw_offer_uplift(settings, price_sensitivity, prospect, rng: np.random.Generator):
    """Each customer's true ``offer_uplift``: the chance that a delivered coupon SMS makes them
    buy within the window when they can respond and would not have bought anyway."""
    n = len(price_sensitivity)
    persuadable = rng.random(n) < settings.persuadable_share
    strength = 2 * np.asarray(price_sensitivity) * rng.uniform(0.5, 1.5, n)
    uplift = settings.uplift_persuadable * strength * np.where(prospect, settings.prospect_factor,
                                                                1.0)
    return np.where(persuadable, np.clip(uplift, 0.0, 1.0), 0.0)


def offer_factor(offer: str, settings) -> float:
    """A coupon persuades fully; a message without one (无优惠) by ``no_offer_factor``."""
    return 1.0 if offer_value(offer) > 0 else settings.no_offer_factor


def persuasion_probability(offer_uplift, can_respond, factor: float = 1.0) -> np.ndarray:
    """Chance that a delivered message makes a customer buy who would not have bought anyway."""
    return np.where(can_respond, np.clip(np.asarray(offer_uplift, dtype=float) * factor, 0, 1),
                    0.0)


def draw_caused(rng: np.random.Generator, delivered, organic, persuasion) -> np.ndarray:
    """Purchases the message caused (arrays of one shape; any shape, for many runs at once)."""
    delivered = np.asarray(delivered, dtype=bool)
    return delivered & ~np.asarray(organic, dtype=bool) & (rng.random(delivered.shape)
                                                            < persuasion)


def click_probability(caused, organic, night: bool = False) -> np.ndarray:
    """Link clicks: most persuaded buyers click, some organic buyers, a few others."""
    return (0.03 + 0.6 * np.asarray(caused) + 0.12 * np.asarray(organic)) * (0.5 if night else 1)


def expected_uplift(delivery_rate: float, organic_probability, persuasion) -> float:
    """A crowd's true uplift: treatment minus control conversion rate, in expectation."""
    organic_probability = np.asarray(organic_probability, dtype=float)
    if organic_probability.size == 0:
        return 0.0
    return float(delivery_rate * np.mean((1 - organic_probability) * persuasion))
