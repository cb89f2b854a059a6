"""The synthetic shop generator: one seed, one shop, bit for bit.

The story: customers arrive through channels (people), buy on a shopping calendar until they
drop out (process), past SMS campaigns add the orders they caused (sms), purchases become
orders with items, discounts, deliveries and refunds (orders), visits surround the orders
(traffic), and service chats, reviews, surveys and communities follow from what happened
(service). Each table draws from its own random stream.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import ShopConfig, check_setting_names
from ..errors import ConfigError
from ..schema import TABLES
from ..shop import Shop, apply_schema
from ..sms_response import draw_offer_uplift
from ..vocabulary import CONTROL, TREATMENT
from .calendar import day_range, purchase_intensity
from .common import stream, take_str
from .orders import build_orders, build_products
from .people import STYLES, build_population
from .process import expected_next_year, late_probability, simulate_purchases
from .service import build_chats, build_communities, build_reviews, build_surveys
from .sms import run_campaigns
from .traffic import build_channel_costs, build_visits


def generate_shop(config: ShopConfig | None = None, progress=None, **overrides) -> Shop:
    """按配置生成一家合成网店（同一个种子永远得到完全相同的数据）。

    可以传入 ``ShopConfig``，也可以直接写要改的设置，如 ``customers=500, seed=7``。

    >>> import crmkit as ck
    >>> shop = ck.generate_shop(customers=300, seed=7)
    >>> len(shop.customers)
    300
    >>> bool(shop.orders["paid_amount"].ge(0).all())
    True
    """
    if config is None:
        check_setting_names(overrides)
        config = ShopConfig(**overrides)
    elif not isinstance(config, ShopConfig):
        raise ConfigError(f"config 应为 ShopConfig，实际是 {type(config).__name__}。")
    elif overrides:
        config = config.replace(**overrides)
    step = progress or (lambda label: None)

    seed = config.seed
    days = day_range(config.start, config.end)
    intensity = purchase_intensity(days)

    step("客户")
    pop = build_population(config, stream(seed, "customers"), days)
    pop.offer_uplift = draw_offer_uplift(config.campaigns, pop.price_sensitivity, ~pop.is_buyer,
                                         stream(seed, "offer_uplift"))
    products = build_products(config, stream(seed, "products"), days)
    step("购买过程")
    purchases = simulate_purchases(pop, intensity, late_probability(days), stream(seed, "orders"),
                                   config.communities.dropout_reduction, config.experience)
    history = run_campaigns(config, pop, purchases, days, stream(seed, "campaigns"))
    step("订单")
    book = build_orders(config, pop, purchases, products, history.campaigns, days,
                        stream(seed, "order_details"))
    step("访问")
    visits = build_visits(config, pop, book, days, stream(seed, "visits"))
    step("客服、评价与调研")
    chats = build_chats(pop, book, days, stream(seed, "service_chats"))
    reviews = build_reviews(config, pop, book, products, days, stream(seed, "reviews"))
    surveys = build_surveys(pop, book, days, stream(seed, "surveys"))
    communities, members = build_communities(config, pop, purchases, days,
                                              stream(seed, "communities"))
    costs = build_channel_costs(config, visits, book.orders, stream(seed, "channel_costs"))
    contacts = _contacts(config, pop, book, history, days)
    truth = _truth(config, pop, purchases, days)

    raw = {
        "customers": pop.customers,
        "products": products.drop(columns=["_category_code", "_launch_day", "_popularity"]),
        "visits": visits,
        "orders": book.orders,
        "order_items": book.items,
        "service_chats": chats,
        "reviews": reviews,
        "campaigns": history.campaigns,
        "campaign_contacts": contacts,
        "communities": communities,
        "community_members": members,
        "surveys": surveys,
        "channel_costs": costs,
        "truth": truth,
    }
    step("整理数据类型")
    return Shop({name: apply_schema(frame, name) for name, frame in raw.items()}, config)


def _contacts(config, pop, book, history, days) -> pd.DataFrame:
    """Campaign contacts with outcomes measured the same way for both groups: any order in the
    window after the send, its first order and the paid revenue."""
    columns = TABLES["campaign_contacts"].column_names
    if len(history.contact_customer) == 0:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns}).astype(
            {"delivered": bool, "clicked": bool, "converted": bool, "revenue": float})
    w = config.campaigns.window_days
    c_idx, cust = history.contact_campaign, history.contact_customer
    send = history.send_day[c_idx]
    # orders per customer, in time order (book is chronological)
    by_cust = np.lexsort((np.arange(len(book.customer)), book.customer))
    oc, od = book.customer[by_cust], book.day[by_cust]
    paid = book.orders["paid_amount"].to_numpy()[by_cust]
    lo = np.searchsorted(oc * 100000 + od, cust * 100000 + send, side="left")
    hi = np.searchsorted(oc * 100000 + od, cust * 100000 + send + w, side="left")
    converted = hi > lo
    cum = np.concatenate([[0.0], np.cumsum(paid)])
    revenue = np.round(cum[hi] - cum[lo], 2)
    # clip so that a shop without orders (tiny configs) still indexes safely; converted masks it
    first_order = by_cust[np.minimum(lo, len(by_cust) - 1)] if len(by_cust) else lo
    order = np.lexsort((cust, c_idx))
    return pd.DataFrame({
        "campaign_id": take_str(history.campaigns["campaign_id"], c_idx[order]),
        "customer_id": take_str(pop.customers["customer_id"], cust[order]),
        "group": pd.Series(np.where(history.treated[order], TREATMENT, CONTROL), dtype="str"),
        "delivered": history.delivered[order],
        "clicked": history.clicked[order],
        "converted": converted[order],
        "order_id": take_str(book.orders["order_id"], first_order[order], converted[order]),
        "revenue": revenue[order],
    })


def _truth(config, pop, purchases, days) -> pd.DataFrame:
    n_days = len(days)
    dropout_day = purchases.dropout_day
    alive = dropout_day >= n_days
    expected, will_buy = expected_next_year(pop, purchases, days, config.experience,
                                            config.communities.dropout_reduction)
    return pd.DataFrame({
        "customer_id": pop.customers["customer_id"],
        "purchase_rate": np.round(pop.rate_per_day * 365, 4),
        "dropout_prob": np.round(pop.dropout, 4),
        "spend_level": np.round(6.25 / pop.spend_nu, 2),
        "price_sensitivity": np.round(pop.price_sensitivity, 4),
        "shopping_style": pd.Series(np.asarray(STYLES, dtype=object)[pop.style_code], dtype="str"),
        "satisfaction": np.round(pop.satisfaction, 4),
        "offer_uplift": np.round(pop.offer_uplift, 4),
        "prospect": ~pop.is_buyer,
        "bad_experiences": purchases.bad_experiences,
        "alive_at_end": alive,
        "expected_purchases_next_year": np.round(expected, 4),
        "will_buy_next_year": np.round(will_buy, 4),
        "dropout_date": pd.Series(np.where(alive, np.datetime64("NaT"), (
            days[0] + np.minimum(dropout_day, n_days - 1).astype("timedelta64[D]")).astype(
            "datetime64[ns]")), dtype="datetime64[ns]"),
    })
