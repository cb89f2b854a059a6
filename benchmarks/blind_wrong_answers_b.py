"""Held-out set B of realistic wrong answers for the course's check feedback (issue 12 item 3).

Written blind: only what a learner sees was read (exercise prompts and hints through
``get_exercise``, the exercise notebooks, the data dictionary and the glossary). No grader code,
diagnosis, expected value or first wrong-answer set was opened while writing the answers below.

Each exercise of chapters 00-07 (except 5.9, which needs the console) has one blind right answer
(``RIGHT``), used only to confirm the reading of the prompt and to mark a wrong answer that equals
it on a shop as "same", and four wrong answers (``WRONG``: id, description, shop -> answer), each a
mistake a hurried student or a new hire would plausibly make. All answers are plain pandas on the
learner's ``shop``.

Run (grades every entry with ``crmkit.grading.checker.evaluate`` on the course shop and seeds 11, 12;
a wrong answer equal to the blind right answer on a shop is counted as "same", not graded):

    .venv/bin/python benchmarks/blind_wrong_answers_b.py [--only 1.3,4.2] [--seeds none,11,12]

Classes: accepted (status "correct"), generic (diagnosis starting with "generic:"), named (any other
diagnosis). Exit status 1 when a wrong answer is accepted, a right answer rejected or an entry raises.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import pandas as pd

import crmkit as ck
from crmkit.rawexport import load_raw_export

REFUNDED = "退款成功"
CID = "customer_id"

RIGHT: dict[str, Callable] = {}
WRONG: list[tuple[str, str, Callable]] = []


def right(eid: str):
    def register(fn):
        RIGHT[eid] = fn
        return fn
    return register


def wrong(eid: str, description: str):
    def register(fn):
        WRONG.append((eid, description, fn))
        return fn
    return register


# ---------------------------------------------------------------- shared learner-style helpers

def valid(shop) -> pd.DataFrame:
    return shop.orders[shop.orders["status"] != REFUNDED]


def with_net(orders: pd.DataFrame) -> pd.DataFrame:
    return orders.assign(net=orders["paid_amount"] - orders["refund_amount"])


def as_of(shop) -> pd.Timestamp:
    return shop.orders["order_time"].max().normalize() + pd.Timedelta(days=1)


def last_day(shop) -> pd.Timestamp:
    return shop.orders["order_time"].max().normalize()


def spend_by_customer(orders: pd.DataFrame) -> pd.Series:
    return with_net(orders).groupby(CID)["net"].sum()


def valid_counts(shop) -> pd.Series:
    return valid(shop).groupby(CID).size()


# ================================================================ chapter 00

@right("0.1")
def r_0_1(shop):
    return len(shop.orders)


@wrong("0.1", "took the column count shape[1] instead of the row count")
def w_0_1_a(shop):
    return shop.orders.shape[1]


@wrong("0.1", "used .size (rows x columns) as the number of orders")
def w_0_1_b(shop):
    return int(shop.orders.size)


@wrong("0.1", "counted distinct customers in the orders table")
def w_0_1_c(shop):
    return int(shop.orders[CID].nunique())


@wrong("0.1", "counted rows of order_items (order lines) instead of orders")
def w_0_1_d(shop):
    return len(shop.order_items)


@right("0.2")
def r_0_2(shop):
    return shop.customers["acquisition_channel"].value_counts()


@wrong("0.2", "value_counts(normalize=True): shares instead of customer counts")
def w_0_2_a(shop):
    return shop.customers["acquisition_channel"].value_counts(normalize=True)


@wrong("0.2", "counted only customers who appear in the orders table")
def w_0_2_b(shop):
    c = shop.customers
    return c[c[CID].isin(shop.orders[CID])]["acquisition_channel"].value_counts()


@wrong("0.2", "merged orders with customers first, so each customer counted once per order")
def w_0_2_c(shop):
    m = shop.orders[[CID]].merge(shop.customers[[CID, "acquisition_channel"]], on=CID)
    return m["acquisition_channel"].value_counts()


@wrong("0.2", "counted the orders' channel column (traffic of each order) instead of acquisition channel")
def w_0_2_d(shop):
    return shop.orders["channel"].value_counts()


@right("0.3")
def r_0_3(shop):
    return with_net(valid(shop)).groupby("channel")["net"].mean()


@wrong("0.3", "grouped by channel_group instead of channel")
def w_0_3_a(shop):
    return with_net(valid(shop)).groupby("channel_group")["net"].mean()


@wrong("0.3", "valid net total divided by the number of all orders (refunded orders in the denominator)")
def w_0_3_b(shop):
    total = with_net(valid(shop)).groupby("channel")["net"].sum()
    return total / shop.orders.groupby("channel").size()


@wrong("0.3", "average spend per customer within each channel instead of per order")
def w_0_3_c(shop):
    per_customer = with_net(valid(shop)).groupby(["channel", CID])["net"].sum()
    return per_customer.groupby(level="channel").mean()


@wrong("0.3", "median net per order instead of the mean")
def w_0_3_d(shop):
    return with_net(valid(shop)).groupby("channel")["net"].median()


# ================================================================ chapter 01

def target_customer(shop) -> str:
    o = shop.orders
    refunded = o.loc[o["status"] == REFUNDED, CID].unique()
    counts = o.loc[o[CID].isin(refunded), CID].value_counts()
    return counts[counts == counts.max()].index.min()


@right("1.1")
def r_1_1(shop):
    t = target_customer(shop)
    mine = with_net(valid(shop)[valid(shop)[CID] == t])
    return {"有效订单数": len(mine), "消费净额": float(mine["net"].sum()),
            "客服会话数": int((shop.service_chats[CID] == t).sum())}


@wrong("1.1", "counted chats after merging the customer's orders with her chats (orders x chats rows)")
def w_1_1_a(shop):
    answer = r_1_1(shop)
    t = target_customer(shop)
    mine = valid(shop)[valid(shop)[CID] == t]
    answer["客服会话数"] = len(mine.merge(shop.service_chats[[CID, "chat_id"]], on=CID))
    return answer


@wrong("1.1", "only 交易成功 orders counted as valid (部分退款 and 已发货 dropped)")
def w_1_1_b(shop):
    t = target_customer(shop)
    o = shop.orders
    mine = with_net(o[(o[CID] == t) & (o["status"] == "交易成功")])
    return {"有效订单数": len(mine), "消费净额": float(mine["net"].sum()),
            "客服会话数": int((shop.service_chats[CID] == t).sum())}


@wrong("1.1", "paid of valid orders minus the refunds of all orders (refunded orders' refunds subtracted too)")
def w_1_1_c(shop):
    answer = r_1_1(shop)
    t = target_customer(shop)
    o = shop.orders[shop.orders[CID] == t]
    paid = o.loc[o["status"] != REFUNDED, "paid_amount"].sum()
    answer["消费净额"] = float(paid - o["refund_amount"].sum())
    return answer


@wrong("1.1", "net spend truncated to whole yuan with int()")
def w_1_1_d(shop):
    answer = r_1_1(shop)
    answer["消费净额"] = int(answer["消费净额"])
    return answer


def profile_table(shop) -> pd.DataFrame:
    agg = with_net(valid(shop)).groupby(CID).agg(n_orders=("order_id", "count"), spend=("net", "sum"))
    chats = shop.service_chats.groupby(CID).size().rename("n_chats").reset_index()
    df = shop.customers[[CID]].merge(agg.reset_index(), on=CID, how="left").merge(chats, on=CID, how="left")
    df = df.fillna(0)
    return df.astype({"n_orders": int, "n_chats": int})


@right("1.2")
def r_1_2(shop):
    return profile_table(shop)


@wrong("1.2", "inner merges: customers without orders or chats dropped")
def w_1_2_a(shop):
    agg = with_net(valid(shop)).groupby(CID).agg(n_orders=("order_id", "count"), spend=("net", "sum"))
    chats = shop.service_chats.groupby(CID).size().rename("n_chats").reset_index()
    return shop.customers[[CID]].merge(agg.reset_index(), on=CID).merge(chats, on=CID)


@wrong("1.2", "merged orders with chats before aggregating, so spend is counted once per chat")
def w_1_2_b(shop):
    v = with_net(valid(shop))
    m = v.merge(shop.service_chats[[CID, "chat_id"]], on=CID, how="left")
    agg = m.groupby(CID).agg(n_orders=("order_id", "nunique"), spend=("net", "sum"),
                             n_chats=("chat_id", "nunique"))
    df = shop.customers[[CID]].merge(agg.reset_index(), on=CID, how="left")
    chats = shop.service_chats.groupby(CID).size()
    df["n_chats"] = df[CID].map(chats).fillna(0).astype(int)
    df = df.fillna(0)
    return df.astype({"n_orders": int})


@wrong("1.2", "left merge without fillna: NaN left for customers without orders or chats")
def w_1_2_c(shop):
    agg = with_net(valid(shop)).groupby(CID).agg(n_orders=("order_id", "count"), spend=("net", "sum"))
    chats = shop.service_chats.groupby(CID).size().rename("n_chats").reset_index()
    return shop.customers[[CID]].merge(agg.reset_index(), on=CID, how="left").merge(chats, on=CID, how="left")


@wrong("1.2", "n_orders by size() after a left merge: customers without orders get 1 instead of 0")
def w_1_2_d(shop):
    df = profile_table(shop)
    m = shop.customers[[CID]].merge(valid(shop)[[CID, "order_id"]], on=CID, how="left")
    df["n_orders"] = df[CID].map(m.groupby(CID).size()).astype(int)
    return df


def churn_risk(shop, offset=pd.DateOffset(months=6), day=None) -> set:
    last = valid(shop).groupby(CID)["order_time"].max()
    day = as_of(shop) if day is None else day
    return set(last[last < day - offset].index)


@right("1.3")
def r_1_3(shop):
    return churn_risk(shop)


@wrong("1.3", "180 days instead of 6 calendar months")
def w_1_3_a(shop):
    return churn_risk(shop, pd.Timedelta(days=180))


@wrong("1.3", "reference day = the last order's timestamp (not the next day at 0:00)")
def w_1_3_b(shop):
    return churn_risk(shop, day=shop.orders["order_time"].max())


@wrong("1.3", "all customers without a valid order in the last 6 months, never-buyers included")
def w_1_3_c(shop):
    v = valid(shop)
    recent = set(v.loc[v["order_time"] >= as_of(shop) - pd.DateOffset(months=6), CID])
    return set(shop.customers[CID]) - recent


@wrong("1.3", "used each customer's first valid order (min) instead of the last one")
def w_1_3_d(shop):
    first = valid(shop).groupby(CID)["order_time"].min()
    return set(first[first < as_of(shop) - pd.DateOffset(months=6)].index)


def top_share(spend: pd.Series) -> float:
    s = spend.sort_values(ascending=False)
    k = int(len(s) * 0.2)
    return float(s.iloc[:k].sum() / s.sum())


@right("1.4")
def r_1_4(shop):
    return top_share(spend_by_customer(valid(shop)))


@wrong("1.4", "top 20% of orders (by order net) instead of top 20% of customers")
def w_1_4_a(shop):
    return top_share(with_net(valid(shop))["net"])


@wrong("1.4", "sorted ascending, so the bottom 20% of customers were taken")
def w_1_4_b(shop):
    s = spend_by_customer(valid(shop)).sort_values()
    k = int(len(s) * 0.2)
    return float(s.iloc[:k].sum() / s.sum())


@wrong("1.4", "population from all orders: customers whose orders were all refunded counted (net 0)")
def w_1_4_c(shop):
    return top_share(spend_by_customer(shop.orders))


@wrong("1.4", "customers at or above the 80th percentile of spend instead of the top int(n*0.2)")
def w_1_4_d(shop):
    s = spend_by_customer(valid(shop))
    return float(s[s >= s.quantile(0.8)].sum() / s.sum())


def value_classes(shop) -> pd.Series:
    return ck.profile.value_classes(shop.orders)


@right("1.5")
def r_1_5(shop):
    spend = spend_by_customer(valid(shop))
    return spend.groupby(value_classes(shop)).sum() / spend.sum()


@wrong("1.5", "share of customers in each class instead of share of spend")
def w_1_5_a(shop):
    return value_classes(shop).value_counts(normalize=True)


@wrong("1.5", "spend of the last 12 months only (the prompt asks for all time)")
def w_1_5_b(shop):
    v = valid(shop)
    spend = spend_by_customer(v[v["order_time"] >= as_of(shop) - pd.DateOffset(months=12)])
    return spend.groupby(value_classes(shop)).sum() / spend.sum()


@wrong("1.5", "average spend per customer in each class instead of the share")
def w_1_5_c(shop):
    spend = spend_by_customer(valid(shop))
    return spend.groupby(value_classes(shop)).mean()


@wrong("1.5", "share of valid orders per class instead of share of spend")
def w_1_5_d(shop):
    v = valid(shop)
    cls = v[CID].map(value_classes(shop))
    return cls.value_counts(normalize=True)


def masked_table(shop, mask=None) -> pd.DataFrame:
    df = shop.customers[[CID, "name", "phone", "city"]].copy()
    spend = spend_by_customer(valid(shop)).rename("spend").reset_index()
    df = df.merge(spend, on=CID, how="left")
    df["spend"] = df["spend"].fillna(0)
    df["name"] = ck.privacy.mask_name(df["name"]) if mask is None else df["name"].map(mask)
    return df


@right("1.6")
def r_1_6(shop):
    return masked_table(shop)


@wrong("1.6", "kept the id_number column in the hand-over table")
def w_1_6_a(shop):
    df = masked_table(shop)
    df["id_number"] = shop.customers["id_number"].to_numpy()
    return df


@wrong("1.6", "surname plus a single * whatever the name length (欧阳修 -> 欧*)")
def w_1_6_b(shop):
    return masked_table(shop, lambda n: n[0] + "*")


@wrong("1.6", "left merge without fillna: spend NaN for customers who never ordered")
def w_1_6_c(shop):
    df = masked_table(shop)
    bought = df[CID].isin(valid(shop)[CID])
    df.loc[~bought, "spend"] = np.nan
    return df


@wrong("1.6", "masked only the middle character, keeping the last one (李建华 -> 李*华)")
def w_1_6_d(shop):
    return masked_table(shop, lambda n: n[0] + "*" * (len(n) - 2) + n[-1] if len(n) > 2 else n[0] + "*")


RAW_COLUMNS = {"订单编号": "order_id", "买家会员名": "nickname", "收货人姓名": "name", "联系手机": "phone",
               "订单付款时间": "order_time", "宝贝总数量": "n_items", "总金额": "gross_amount",
               "买家实际支付金额": "paid_amount", "退款金额": "refund_amount", "订单状态": "status",
               "流量来源": "channel"}
AMOUNTS = ["gross_amount", "paid_amount", "refund_amount"]


def unify_time(s: pd.Series) -> pd.Series:
    t = s.str.replace("年", "-").str.replace("月", "-").str.replace("/", "-").str.replace("日", "")
    return pd.to_datetime(t, format="%Y-%m-%d %H:%M:%S")


def clean_counts(shop, dedupe=True, parse_time=unify_time, paid=lambda d: d["paid_amount"].sum(),
                 phone_prep=None) -> dict:
    raw = load_raw_export(shop)
    d = raw.drop_duplicates() if dedupe else raw.copy()
    n = len(d)
    d = d.rename(columns=RAW_COLUMNS).drop(columns="收货地址")
    d["order_time"] = parse_time(d["order_time"])
    n1212 = int(((d["order_time"].dt.month == 12) & (d["order_time"].dt.day == 12)).sum())
    for c in AMOUNTS:
        d[c] = d[c].str.replace("¥", "").str.replace(",", "").astype(float)
    d["n_items"] = d["n_items"].astype(int)
    d["name"] = ck.privacy.mask_name(d["name"])
    phone = d["phone"] if phone_prep is None else phone_prep(d["phone"])
    phone = phone.str.replace(" ", "").str.replace("+86", "", regex=False)
    d["phone"] = ck.privacy.mask_phone(phone)
    return {"订单数": n, "双12订单数": n1212, "实付金额合计": float(paid(d)),
            "已脱敏姓名数": int(d["name"].str.contains("*", regex=False).sum()),
            "已脱敏手机号数": int(d["phone"].str.contains("****", regex=False).sum()),
            "空手机号数": int(d["phone"].isna().sum())}


@right("1.7")
def r_1_7(shop):
    return clean_counts(shop)


@wrong("1.7", "forgot drop_duplicates: every count taken on the raw export")
def w_1_7_a(shop):
    return clean_counts(shop, dedupe=False)


@wrong("1.7", "parsed only the 2025-12-01 style with errors='coerce', other date styles became NaT")
def w_1_7_b(shop):
    return clean_counts(shop, parse_time=lambda s: pd.to_datetime(s, format="%Y-%m-%d %H:%M:%S", errors="coerce"))


@wrong("1.7", "实付金额合计 as paid minus refund (the prompt says not to subtract refunds)")
def w_1_7_c(shop):
    return clean_counts(shop, paid=lambda d: (d["paid_amount"] - d["refund_amount"]).sum())


@wrong("1.7", "masked-phone count taken before the masking step (only phones already masked in the export)")
def w_1_7_d(shop):
    answer = clean_counts(shop)
    raw = load_raw_export(shop).drop_duplicates()
    answer["已脱敏手机号数"] = int(raw["联系手机"].str.contains("****", regex=False).sum())
    return answer


def after_sales_share(shop) -> float:
    return float((shop.service_chats["stage"] == "售后").mean())


@right("1.8")
def r_1_8(shop):
    return {"前20%客户营收占比": r_1_4(shop), "流失风险客户数": len(r_1_3(shop)),
            "售后会话占比": after_sales_share(shop)}


@wrong("1.8", "after-sales share over chats that carry an order id (pre-sale chats without order left out)")
def w_1_8_a(shop):
    answer = r_1_8(shop)
    chats = shop.service_chats[shop.service_chats["order_id"].notna()]
    answer["售后会话占比"] = float((chats["stage"] == "售后").mean())
    return answer


@wrong("1.8", "churn-risk count with 180 days instead of 6 calendar months")
def w_1_8_b(shop):
    answer = r_1_8(shop)
    answer["流失风险客户数"] = len(w_1_3_a(shop))
    return answer


@wrong("1.8", "after-sales share per customer (customers with an after-sales chat / customers with any chat)")
def w_1_8_c(shop):
    answer = r_1_8(shop)
    has = (shop.service_chats["stage"] == "售后").groupby(shop.service_chats[CID]).any()
    answer["售后会话占比"] = float(has.mean())
    return answer


@wrong("1.8", "top share from the 80th percentile of spend instead of the top int(n*0.2)")
def w_1_8_d(shop):
    answer = r_1_8(shop)
    answer["前20%客户营收占比"] = w_1_4_d(shop)
    return answer


# ================================================================ chapter 02

@right("2.1")
def r_2_1(shop):
    v = shop.visits
    return v["order_id"].notna().groupby(v["channel"]).mean()


@wrong("2.1", "converting visits divided by distinct visitors of the channel")
def w_2_1_a(shop):
    v = shop.visits
    return v["order_id"].notna().groupby(v["channel"]).sum() / v.groupby("channel")[CID].nunique()


@wrong("2.1", "only visits whose order is valid counted as converted (refunded orders dropped)")
def w_2_1_b(shop):
    v = shop.visits
    return v["order_id"].isin(valid(shop)["order_id"]).groupby(v["channel"]).mean()


@wrong("2.1", "grouped by channel_group instead of channel")
def w_2_1_c(shop):
    v = shop.visits
    return v["order_id"].notna().groupby(v["channel_group"]).mean()


@wrong("2.1", "share of visitors who ever converted in the channel (per customer, not per visit)")
def w_2_1_d(shop):
    v = shop.visits.assign(conv=shop.visits["order_id"].notna())
    return v.groupby(["channel", CID])["conv"].any().groupby(level="channel").mean()


def with_acquisition(orders: pd.DataFrame, shop) -> pd.DataFrame:
    return orders.merge(shop.customers[[CID, "acquisition_channel"]], on=CID)


@right("2.2")
def r_2_2(shop):
    return with_net(with_acquisition(valid(shop), shop)).groupby("acquisition_channel")["net"].mean()


@wrong("2.2", "average spend per buying customer instead of per order")
def w_2_2_a(shop):
    v = with_net(with_acquisition(valid(shop), shop))
    return v.groupby(["acquisition_channel", CID])["net"].sum().groupby(level=0).mean()


@wrong("2.2", "revenue per acquired customer: net total / all customers acquired by the channel")
def w_2_2_b(shop):
    total = with_net(with_acquisition(valid(shop), shop)).groupby("acquisition_channel")["net"].sum()
    return total / shop.customers.groupby("acquisition_channel").size()


@wrong("2.2", "customers left-merged with orders and NaN net filled with 0, so non-buyers pull the mean down")
def w_2_2_c(shop):
    v = with_net(valid(shop))[[CID, "net"]]
    m = shop.customers[[CID, "acquisition_channel"]].merge(v, on=CID, how="left")
    return m.fillna({"net": 0}).groupby("acquisition_channel")["net"].mean()


@wrong("2.2", "median order net instead of the mean")
def w_2_2_d(shop):
    return with_net(with_acquisition(valid(shop), shop)).groupby("acquisition_channel")["net"].median()


def repurchase_90(shop, day=None, eligible=True, window=True, group_by="acquisition") -> pd.Series:
    v = valid(shop).sort_values([CID, "order_time"], kind="stable")
    n = v.groupby(CID).cumcount()
    first_rows = v[n == 0].set_index(CID)
    first = first_rows["order_time"]
    second = v[n == 1].set_index(CID)["order_time"].reindex(first.index)
    day = as_of(shop) if day is None else day
    rep = ((second - first) <= pd.Timedelta(days=90)) if window else second.notna()
    if eligible:
        rep = rep[first <= day - pd.Timedelta(days=90)]
    if group_by == "acquisition":
        key = shop.customers.set_index(CID)["acquisition_channel"]
    else:
        key = first_rows["channel"]
    return rep.groupby(key).mean()


@right("2.3")
def r_2_3(shop):
    return repurchase_90(shop)


@wrong("2.3", "no eligibility filter: customers whose first order is in the last 90 days kept")
def w_2_3_a(shop):
    return repurchase_90(shop, eligible=False)


@wrong("2.3", "reference day = last order date (no +1 day) for the eligibility cut")
def w_2_3_b(shop):
    return repurchase_90(shop, day=last_day(shop))


@wrong("2.3", "counted any second valid order, however late (no 90-day limit)")
def w_2_3_c(shop):
    return repurchase_90(shop, window=False)


@wrong("2.3", "grouped by the first order's traffic channel instead of the acquisition channel")
def w_2_3_d(shop):
    return repurchase_90(shop, group_by="order_channel")


@right("2.4")
def r_2_4(shop):
    v = valid(shop)
    return (v["discount_amount"] > 0).groupby(v["channel_group"]).mean()


@wrong("2.4", "average discount amount per order instead of the share of orders with a discount")
def w_2_4_a(shop):
    return valid(shop).groupby("channel_group")["discount_amount"].mean()


@wrong("2.4", "discount amount as a share of gross amount instead of the share of orders")
def w_2_4_b(shop):
    g = valid(shop).groupby("channel_group")
    return g["discount_amount"].sum() / g["gross_amount"].sum()


@wrong("2.4", "grouped by channel instead of channel_group")
def w_2_4_c(shop):
    v = valid(shop)
    return (v["discount_amount"] > 0).groupby(v["channel"]).mean()


@wrong("2.4", "share of customers who ever used a discount within each source type")
def w_2_4_d(shop):
    v = valid(shop).assign(used=valid(shop)["discount_amount"] > 0)
    return v.groupby(["channel_group", CID])["used"].any().groupby(level=0).mean()


def channel_spend(shop) -> pd.Series:
    return shop.channel_costs.groupby("channel")["spend"].sum()


@right("2.5")
def r_2_5(shop):
    cost = channel_spend(shop)
    return (cost / shop.customers.groupby("acquisition_channel").size()).reindex(cost.index)


@wrong("2.5", "divided by buyers only (acquired customers with a valid order)")
def w_2_5_a(shop):
    cost = channel_spend(shop)
    c = shop.customers[shop.customers[CID].isin(valid(shop)[CID])]
    return (cost / c.groupby("acquisition_channel").size()).reindex(cost.index)


@wrong("2.5", "divided by the visits in the cost table (cost per visit)")
def w_2_5_b(shop):
    g = shop.channel_costs.groupby("channel")
    return g["spend"].sum() / g["visits"].sum()


@wrong("2.5", "average monthly spend instead of total spend")
def w_2_5_c(shop):
    cost = shop.channel_costs.groupby("channel")["spend"].mean()
    return (cost / shop.customers.groupby("acquisition_channel").size()).reindex(cost.index)


@wrong("2.5", "divided by the orders the channel brought (orders.channel) instead of acquired customers")
def w_2_5_d(shop):
    cost = channel_spend(shop)
    return (cost / shop.orders.groupby("channel").size()).reindex(cost.index)


def daily_valid(shop) -> pd.Series:
    return valid(shop)["order_time"].dt.normalize()


@right("2.6")
def r_2_6(shop):
    day = daily_valid(shop)
    year = shop.orders["order_time"].max().year
    daily = day[day.dt.year == year].value_counts()
    return float(daily[pd.Timestamp(year=year, month=11, day=11)] / daily.median())


@wrong("2.6", "mean daily orders instead of the median")
def w_2_6_a(shop):
    day = daily_valid(shop)
    year = shop.orders["order_time"].max().year
    daily = day[day.dt.year == year].value_counts()
    return float(daily[pd.Timestamp(year=year, month=11, day=11)] / daily.mean())


@wrong("2.6", "first data year (order_time.min().year) instead of the last one")
def w_2_6_b(shop):
    day = daily_valid(shop)
    year = shop.orders["order_time"].min().year
    daily = day[day.dt.year == year].value_counts()
    return float(daily[pd.Timestamp(year=year, month=11, day=11)] / daily.median())


@wrong("2.6", "median over all years of data instead of the last year")
def w_2_6_c(shop):
    daily = daily_valid(shop).value_counts()
    year = shop.orders["order_time"].max().year
    return float(daily[pd.Timestamp(year=year, month=11, day=11)] / daily.median())


@wrong("2.6", "numerator counted every 11 November in the data (both years), median from the last year")
def w_2_6_d(shop):
    day = daily_valid(shop)
    year = shop.orders["order_time"].max().year
    daily = day[day.dt.year == year].value_counts()
    double11 = int(((day.dt.month == 11) & (day.dt.day == 11)).sum())
    return float(double11 / daily.median())


def referral_rates(shop, eligible=True, window=True, others_all=False) -> tuple[float, float]:
    c = shop.customers.copy()
    first = valid(shop).groupby(CID)["order_time"].min()
    c["first"] = c[CID].map(first)
    if window:
        # whole days (.dt.days), as the hint's "相差不超过 180 天" is checked; an exact Timedelta
        # comparison (180 days + a few hours excluded) is not accepted: see the report on prompt 2.7
        conv = (c["first"] - c["register_date"]).dt.days <= 180
    else:
        conv = c["first"].notna()
    keep = c["register_date"] <= as_of(shop) - pd.Timedelta(days=180) if eligible else pd.Series(True, c.index)
    ref = c["acquisition_channel"] == "老客推荐"
    other = keep if others_all else keep & ~ref
    return float(conv[keep & ref].mean()), float(conv[other].mean())


def top_roi_channel(shop) -> str:
    return ck.sources.paid_channel_roi(shop.channel_costs, shop.customers, shop.orders)["roi"].idxmax()


def budget_dict(shop, channel, rates) -> dict:
    return {"ROI最高的付费渠道": channel, "老客推荐成交率": rates[0], "其他渠道成交率": rates[1]}


@right("2.7")
def r_2_7(shop):
    return budget_dict(shop, top_roi_channel(shop), referral_rates(shop))


@wrong("2.7", "no 'registered at least 180 days ago' filter: recent registrants in the denominator")
def w_2_7_a(shop):
    return budget_dict(shop, top_roi_channel(shop), referral_rates(shop, eligible=False))


@wrong("2.7", "any valid order ever counted as converted (no 180-day limit after registration)")
def w_2_7_b(shop):
    return budget_dict(shop, top_roi_channel(shop), referral_rates(shop, window=False))


@wrong("2.7", "sorted ROI ascending and took the first: the lowest-ROI channel")
def w_2_7_c(shop):
    roi = ck.sources.paid_channel_roi(shop.channel_costs, shop.customers, shop.orders)["roi"]
    return budget_dict(shop, roi.idxmin(), referral_rates(shop))


@wrong("2.7", "'other channels' rate computed over all eligible customers, referrals included")
def w_2_7_d(shop):
    return budget_dict(shop, top_roi_channel(shop), referral_rates(shop, others_all=True))


# ================================================================ chapter 03

def ids_with_at_least(counts: pd.Series, n: int) -> set:
    return set(counts[counts >= n].index)


@right("3.1")
def r_3_1(shop):
    return ids_with_at_least(valid_counts(shop), 3)


@wrong("3.1", "strictly more than 3 orders (> instead of >=)")
def w_3_1_a(shop):
    counts = valid_counts(shop)
    return set(counts[counts > 3].index)


@wrong("3.1", "only 交易成功 orders counted; partly refunded and in-transit orders dropped")
def w_3_1_b(shop):
    o = shop.orders
    return ids_with_at_least(o[o["status"] == "交易成功"].groupby(CID).size(), 3)


@wrong("3.1", "counted order lines after merging order_items (orders with two products counted twice)")
def w_3_1_c(shop):
    m = valid(shop)[["order_id", CID]].merge(shop.order_items[["order_id"]], on="order_id")
    return ids_with_at_least(m.groupby(CID).size(), 3)


@wrong("3.1", "summed n_items (pieces bought) instead of counting orders")
def w_3_1_d(shop):
    return ids_with_at_least(valid(shop).groupby(CID)["n_items"].sum(), 3)


def review_scores(shop, good=4, neutral=3, neutral_score=0, keep=None) -> pd.Series:
    r = shop.reviews if keep is None else shop.reviews[keep(shop.reviews)]
    score = np.select([r["stars"] >= good, r["stars"] == neutral], [1, neutral_score], default=-1)
    return pd.Series(score, index=r.index).groupby(r[CID]).sum()


@right("3.2")
def r_3_2(shop):
    return review_scores(shop)


@wrong("3.2", "3 stars treated as good (stars >= 3 scores +1)")
def w_3_2_a(shop):
    return review_scores(shop, good=3)


@wrong("3.2", "average score per customer instead of the sum")
def w_3_2_b(shop):
    r = shop.reviews
    score = np.select([r["stars"] >= 4, r["stars"] == 3], [1, 0], default=-1)
    return pd.Series(score, index=r.index).groupby(r[CID]).mean()


@wrong("3.2", "system default reviews dropped before scoring")
def w_3_2_c(shop):
    return review_scores(shop, keep=lambda r: ~r["is_default"])


@wrong("3.2", "3 stars scored -1 (anything below 4 counted as bad)")
def w_3_2_d(shop):
    return review_scores(shop, neutral_score=-1)


CREDIT_CLASSES = ["无", "红心", "钻石", "皇冠", "金冠"]


def credit_classes(points: pd.Series, lows=(500001, 10001, 251, 4)) -> pd.Series:
    names = ["金冠", "皇冠", "钻石", "红心"]
    return pd.Series(np.select([points >= low for low in lows], names, default="无"), index=points.index)


@right("3.3")
def r_3_3(shop):
    return credit_classes(shop.customers["credit_points"]).value_counts().reindex(CREDIT_CLASSES, fill_value=0)


@wrong("3.3", "upper bounds taken as the next class's lower bound (>= 250, >= 10000, >= 500000)")
def w_3_3_a(shop):
    cls = credit_classes(shop.customers["credit_points"], lows=(500000, 10000, 250, 4))
    return cls.value_counts().reindex(CREDIT_CLASSES, fill_value=0)


@wrong("3.3", "np.select conditions in ascending order, so everyone with >= 4 points is 红心")
def w_3_3_b(shop):
    p = shop.customers["credit_points"]
    cls = np.select([p >= 4, p >= 251, p >= 10001, p >= 500001], ["红心", "钻石", "皇冠", "金冠"], default="无")
    return pd.Series(cls).value_counts().reindex(CREDIT_CLASSES, fill_value=0)


@wrong("3.3", "no reindex: classes without customers missing and the order left as value_counts gives it")
def w_3_3_c(shop):
    return credit_classes(shop.customers["credit_points"]).value_counts()


@wrong("3.3", "value_counts of the raw credit_level column (1心, 2钻 ...) instead of the five classes")
def w_3_3_d(shop):
    return shop.customers["credit_level"].value_counts()


def customer_status(shop, population=None, chat_stage=("售前",), order_filter=None) -> pd.Series:
    c = shop.customers
    if population is None:
        population = c[c["register_date"].dt.year == c["register_date"].max().year]
    v = valid(shop) if order_filter is None else order_filter(valid(shop))
    chats = shop.service_chats
    buyers = set(v[CID])
    asked = set(chats.loc[chats["stage"].isin(chat_stage), CID])
    ids = population[CID]
    status = np.where(ids.isin(buyers), "成交客户", np.where(ids.isin(asked), "询单客户", "未成交客户"))
    return pd.Series(status).value_counts()


@right("3.4")
def r_3_4(shop):
    return customer_status(shop)


@wrong("3.4", "any chat (售中/售后 too) counted as an inquiry")
def w_3_4_a(shop):
    return customer_status(shop, chat_stage=("售前", "售中", "售后"))


@wrong("3.4", "classified every customer, not only the last year's registrants")
def w_3_4_b(shop):
    return customer_status(shop, population=shop.customers)


@wrong("3.4", "inquiry tested before purchase: a buyer who also asked before buying becomes 询单客户")
def w_3_4_c(shop):
    c = shop.customers
    ids = c.loc[c["register_date"].dt.year == c["register_date"].max().year, CID]
    chats = shop.service_chats
    asked = set(chats.loc[chats["stage"] == "售前", CID])
    status = np.where(ids.isin(asked), "询单客户", np.where(ids.isin(valid(shop)[CID]), "成交客户", "未成交客户"))
    return pd.Series(status).value_counts()


@wrong("3.4", "left-merged the registrants with their pre-sale chats, so customers counted once per chat")
def w_3_4_d(shop):
    c = shop.customers
    people = c.loc[c["register_date"].dt.year == c["register_date"].max().year, [CID]]
    chats = shop.service_chats.loc[shop.service_chats["stage"] == "售前", [CID, "chat_id"]]
    m = people.merge(chats, on=CID, how="left")
    status = np.where(m[CID].isin(valid(shop)[CID]), "成交客户",
                      np.where(m["chat_id"].notna(), "询单客户", "未成交客户"))
    return pd.Series(status).value_counts()


def repeat_crowd(shop, start=None, n=2) -> set:
    v = valid(shop)
    start = as_of(shop) - pd.Timedelta(days=90) if start is None else start
    return ids_with_at_least(v[v["order_time"] >= start].groupby(CID).size(), n)


@right("3.5")
def r_3_5(shop):
    return repeat_crowd(shop)


@wrong("3.5", "3 calendar months (DateOffset) instead of 90 days")
def w_3_5_a(shop):
    return repeat_crowd(shop, start=as_of(shop) - pd.DateOffset(months=3))


@wrong("3.5", "counted order lines after merging order_items (one two-product order counts as 2)")
def w_3_5_b(shop):
    v = valid(shop)
    v = v[v["order_time"] >= as_of(shop) - pd.Timedelta(days=90)]
    m = v[["order_id", CID]].merge(shop.order_items[["order_id"]], on="order_id")
    return ids_with_at_least(m.groupby(CID).size(), 2)


@wrong("3.5", "bought in the last 90 days and has 2+ valid orders in total (not 2+ inside the window)")
def w_3_5_c(shop):
    recent = repeat_crowd(shop, n=1)
    return recent & ids_with_at_least(valid_counts(shop), 2)


@wrong("3.5", "more than 2 orders in the window (> 2 instead of >= 2)")
def w_3_5_d(shop):
    return repeat_crowd(shop, n=3)


def threshold_rfm(shop) -> pd.DataFrame:
    return ck.rfm.rfm_table(shop.orders, scoring="thresholds", bins=3, r_thresholds=[90, 365],
                            f_thresholds=[2, 5], m_thresholds=[200, 1000])


def rfm_classes(rfm: pd.DataFrame, high=lambda s: s > s.mean()) -> pd.Series:
    flags = zip(high(rfm["r_score"]), high(rfm["f_score"]), high(rfm["m_score"]))
    return pd.Series([ck.rfm.RFM_CLASSES[k] for k in flags], index=rfm.index)


@right("3.6")
def r_3_6(shop):
    return rfm_classes(threshold_rfm(shop)).value_counts()


@wrong("3.6", "compared raw recency_days / frequency / monetary with their means (recency direction forgotten)")
def w_3_6_a(shop):
    rfm = threshold_rfm(shop)
    flags = zip(rfm["recency_days"] > rfm["recency_days"].mean(), rfm["frequency"] > rfm["frequency"].mean(),
                rfm["monetary"] > rfm["monetary"].mean())
    return pd.Series([ck.rfm.RFM_CLASSES[k] for k in flags]).value_counts()


@wrong("3.6", "compared each score with its median instead of its mean")
def w_3_6_b(shop):
    return rfm_classes(threshold_rfm(shop), high=lambda s: s > s.median()).value_counts()


@wrong("3.6", "used the default quantile-scored rfm_table instead of the shop's thresholds")
def w_3_6_c(shop):
    return rfm_classes(ck.rfm.rfm_table(shop.orders)).value_counts()


@wrong("3.6", "F and M thresholds passed the wrong way round (f_thresholds=[200, 1000], m_thresholds=[2, 5])")
def w_3_6_d(shop):
    rfm = ck.rfm.rfm_table(shop.orders, scoring="thresholds", bins=3, r_thresholds=[90, 365],
                           f_thresholds=[200, 1000], m_thresholds=[2, 5])
    return rfm_classes(rfm).value_counts()


@right("3.7")
def r_3_7(shop):
    rfm = threshold_rfm(shop)
    return rfm.groupby("rfm_class")["monetary"].sum() / rfm["monetary"].sum()


@wrong("3.7", "share of customers per class instead of share of monetary")
def w_3_7_a(shop):
    return threshold_rfm(shop)["rfm_class"].value_counts(normalize=True)


@wrong("3.7", "used the default quantile-scored rfm_table")
def w_3_7_b(shop):
    rfm = ck.rfm.rfm_table(shop.orders)
    return rfm.groupby("rfm_class")["monetary"].sum() / rfm["monetary"].sum()


@wrong("3.7", "average monetary per class divided by the sum of the class averages")
def w_3_7_c(shop):
    means = threshold_rfm(shop).groupby("rfm_class")["monetary"].mean()
    return means / means.sum()


@wrong("3.7", "summed frequency (orders) instead of monetary")
def w_3_7_d(shop):
    rfm = threshold_rfm(shop)
    return rfm.groupby("rfm_class")["frequency"].sum() / rfm["frequency"].sum()


def class_figures(rfm: pd.DataFrame, name="重要保持", per_customer=True, recency=np.mean) -> dict:
    sub = rfm[rfm["rfm_class"] == name]
    spend = sub["monetary"].mean() if per_customer else sub["monetary"].sum() / sub["frequency"].sum()
    return {"人数": len(sub), "平均距今天数": float(recency(sub["recency_days"])), "人均消费": float(spend)}


@right("3.8")
def r_3_8(shop):
    return class_figures(threshold_rfm(shop))


@wrong("3.8", "人均消费 as spend per order (monetary sum / frequency sum)")
def w_3_8_a(shop):
    return class_figures(threshold_rfm(shop), per_customer=False)


@wrong("3.8", "median recency instead of the mean")
def w_3_8_b(shop):
    return class_figures(threshold_rfm(shop), recency=np.median)


@wrong("3.8", "picked 重要挽留 (mixed up the two 'important but not recent' classes)")
def w_3_8_c(shop):
    return class_figures(threshold_rfm(shop), name="重要挽留")


@wrong("3.8", "classes from the default quantile-scored rfm_table")
def w_3_8_d(shop):
    return class_figures(ck.rfm.rfm_table(shop.orders))


# ================================================================ chapter 04

def spend_12m(shop, start=None, statuses=None) -> pd.Series:
    v = valid(shop) if statuses is None else shop.orders[shop.orders["status"].isin(statuses)]
    start = as_of(shop) - pd.DateOffset(months=12) if start is None else start
    return spend_by_customer(v[v["order_time"] >= start])


@right("4.1")
def r_4_1(shop):
    return spend_12m(shop)


@wrong("4.1", "reindexed to every customer with 0 for those without orders in the window")
def w_4_1_a(shop):
    return spend_12m(shop).reindex(shop.customers[CID], fill_value=0)


@wrong("4.1", "window start = last order timestamp minus 12 months (not the reference day)")
def w_4_1_b(shop):
    return spend_12m(shop, start=shop.orders["order_time"].max() - pd.DateOffset(months=12))


@wrong("4.1", "mean net per order in the window instead of the sum")
def w_4_1_c(shop):
    v = with_net(valid(shop))
    v = v[v["order_time"] >= as_of(shop) - pd.DateOffset(months=12)]
    return v.groupby(CID)["net"].mean()


@wrong("4.1", "only 交易成功 orders (部分退款 and 已发货 dropped)")
def w_4_1_d(shop):
    return spend_12m(shop, statuses=["交易成功"])


TIERS = np.array(["普通", "银卡", "金卡", "钻石"])
RECENT_LOWS = [0, 500, 1500, 3000]
TOTAL_LOWS = [0, 800, 2500, 5000]


def tier_counts(shop, combine=np.maximum, side="right", population=None, use_total=True) -> pd.Series:
    ids = shop.customers[CID] if population is None else population
    recent = spend_12m(shop).reindex(ids, fill_value=0)
    total = spend_by_customer(valid(shop)).reindex(ids, fill_value=0)
    i_recent = np.searchsorted(RECENT_LOWS, recent, side=side) - 1
    i_total = np.searchsorted(TOTAL_LOWS, total, side=side) - 1
    idx = combine(i_recent, i_total) if use_total else i_recent
    idx = np.clip(idx, 0, 3)
    return pd.Series(TIERS[idx]).value_counts().reindex(TIERS, fill_value=0)


@right("4.2")
def r_4_2(shop):
    return tier_counts(shop)


@wrong("4.2", "both conditions required (lower of the two tiers) instead of either")
def w_4_2_a(shop):
    return tier_counts(shop, combine=np.minimum)


@wrong("4.2", "only the 12-month spend rule applied, cumulative spend ignored")
def w_4_2_b(shop):
    return tier_counts(shop, use_total=False)


@wrong("4.2", "the 12-month thresholds 500 / 1500 / 3000 applied to cumulative spend too")
def w_4_2_c(shop):
    ids = shop.customers[CID]
    best = np.maximum(spend_12m(shop).reindex(ids, fill_value=0), spend_by_customer(valid(shop)).reindex(ids, fill_value=0))
    idx = np.searchsorted(RECENT_LOWS, best, side="right") - 1
    return pd.Series(TIERS[idx]).value_counts().reindex(TIERS, fill_value=0)


@wrong("4.2", "only customers who ever placed a valid order graded (never-buyers left out of 普通)")
def w_4_2_d(shop):
    return tier_counts(shop, population=pd.Index(valid(shop)[CID].unique()))


DISCOUNT = {"普通": 0.98, "银卡": 0.95, "金卡": 0.90, "钻石": 0.85}
THRESHOLD = {"普通": np.inf, "银卡": 300, "金卡": 500, "钻石": 1000}
CUT = {"普通": 0, "银卡": 50, "金卡": 120, "钻石": 300}


def benefit_orders(shop, base="gross_amount", reduction_on="after") -> pd.DataFrame:
    tier = ck.membership.assign_tiers(shop.orders, shop.customers)["tier"]
    v = valid(shop).copy()
    v["tier"] = v[CID].map(tier)
    amount = v[base]
    after = amount * v["tier"].map(DISCOUNT)
    v["discount_cost"] = amount - after
    test = after if reduction_on == "after" else v["gross_amount"]
    v["reduction_cost"] = np.where(test >= v["tier"].map(THRESHOLD), v["tier"].map(CUT), 0)
    return v


def cost_rate(v: pd.DataFrame, reduction=True) -> pd.Series:
    cost = v["discount_cost"] + (v["reduction_cost"] if reduction else 0)
    return cost.groupby(v["tier"]).sum() / v.groupby("tier")["gross_amount"].sum()


@right("4.3")
def r_4_3(shop):
    return cost_rate(benefit_orders(shop))


@wrong("4.3", "average of each order's cost rate instead of total cost / total gross")
def w_4_3_a(shop):
    v = benefit_orders(shop)
    return ((v["discount_cost"] + v["reduction_cost"]) / v["gross_amount"]).groupby(v["tier"]).mean()


@wrong("4.3", "full-reduction threshold tested on the gross amount instead of the discounted amount")
def w_4_3_b(shop):
    return cost_rate(benefit_orders(shop, reduction_on="gross"))


@wrong("4.3", "discount computed on paid_amount instead of gross_amount")
def w_4_3_c(shop):
    return cost_rate(benefit_orders(shop, base="paid_amount"))


@wrong("4.3", "left out the full-reduction part, discount cost only")
def w_4_3_d(shop):
    return cost_rate(benefit_orders(shop), reduction=False)


def growth_parts(shop, floor_each=True, window_reviews=True, photo_only=True) -> tuple[pd.Series, pd.Series]:
    start, day = as_of(shop) - pd.DateOffset(months=12), as_of(shop)
    v = with_net(valid(shop))
    v = v[v["order_time"] >= start]
    if floor_each:
        spend = np.floor(v["net"]).groupby(v[CID]).sum()
    else:
        spend = np.floor(v.groupby(CID)["net"].sum())
    r = shop.reviews
    keep = r["has_photo"] if photo_only else pd.Series(True, index=r.index)
    if window_reviews:
        keep = keep & (r["review_date"] >= start) & (r["review_date"] < day)
    photos = r[keep].groupby(CID).size() * 50
    return spend, photos


@right("4.4")
def r_4_4(shop):
    spend, photos = growth_parts(shop)
    return spend.add(photos, fill_value=0)


@wrong("4.4", "floored the customer's total instead of each order")
def w_4_4_a(shop):
    spend, photos = growth_parts(shop, floor_each=False)
    return spend.add(photos, fill_value=0)


@wrong("4.4", "photo reviews of all time, not only inside the 12-month window")
def w_4_4_b(shop):
    spend, photos = growth_parts(shop, window_reviews=False)
    return spend.add(photos, fill_value=0)


@wrong("4.4", "50 points for every review in the window, photo or not")
def w_4_4_c(shop):
    spend, photos = growth_parts(shop, photo_only=False)
    return spend.add(photos, fill_value=0)


@wrong("4.4", "added with + instead of .add(fill_value=0): NaN for customers on one side only")
def w_4_4_d(shop):
    spend, photos = growth_parts(shop)
    return spend + photos


def review_tiers(shop, population=None, fill_growth=True, rank=None, lows=RECENT_LOWS) -> pd.Series:
    start, day = as_of(shop) - pd.DateOffset(months=12), as_of(shop)
    held = ck.membership.assign_tiers(shop.orders, shop.customers)["tier"]
    growth = ck.membership.growth_points(shop.orders, shop.order_items, shop.products, shop.reviews,
                                         start=start, as_of=day)["growth"]
    ids = pd.Index(valid(shop)[CID].unique()) if population is None else population
    g = growth.reindex(ids)
    g = g.fillna(0) if fill_growth else g.dropna()
    new = pd.Series(np.searchsorted(lows, g, side="right") - 1, index=g.index)
    old_tier = held.reindex(g.index)
    if rank is None:
        old = old_tier.map({name: i for i, name in enumerate(TIERS)})
        result = np.select([new > old, new < old], ["升级", "降级"], default="保级")
    else:
        new_name = pd.Series(TIERS[new], index=g.index)
        result = np.select([new_name > old_tier, new_name < old_tier], ["升级", "降级"], default="保级")
    return pd.Series(result).value_counts()


@right("4.5")
def r_4_5(shop):
    return review_tiers(shop)


@wrong("4.5", "reviewed every registered customer, including those who never bought")
def w_4_5_a(shop):
    return review_tiers(shop, population=pd.Index(shop.customers[CID]))


@wrong("4.5", "cumulative-spend thresholds 800 / 2500 / 5000 used for growth points")
def w_4_5_b(shop):
    return review_tiers(shop, lows=TOTAL_LOWS)


@wrong("4.5", "buyers without growth points dropped (dropna) instead of counted as 0")
def w_4_5_c(shop):
    return review_tiers(shop, fill_growth=False)


@wrong("4.5", "compared tier names as strings (Unicode order) instead of tier ranks")
def w_4_5_d(shop):
    return review_tiers(shop, rank="text")


def member_figures(shop, repeat_base="buyers", aov="orders", n_repeat=2, aov_orders="valid") -> dict:
    v = with_net(valid(shop))
    agg = v.groupby(CID).agg(n=("order_id", "size"), spend=("net", "sum"))
    c = shop.customers.set_index(CID)[["is_member"]].join(agg)
    c["n"] = c["n"].fillna(0)
    c["spend"] = c["spend"].fillna(0)
    if aov_orders == "all":
        c["n_all"] = shop.orders.groupby(CID).size().reindex(c.index, fill_value=0)
    out = {}
    for flag, label in [(True, "会员"), (False, "非会员")]:
        g = c[c["is_member"] == flag]
        base = g[g["n"] >= 1] if repeat_base == "buyers" else g
        out[label + "复购率"] = float((base["n"] >= n_repeat).mean())
        buyers = g[g["n"] >= 1]
        if aov == "orders":
            denominator = g["n_all"].sum() if aov_orders == "all" else g["n"].sum()
            out[label + "客单价"] = float(g["spend"].sum() / denominator)
        else:
            out[label + "客单价"] = float(buyers["spend"].mean())
    return {k: out[k] for k in ["会员复购率", "非会员复购率", "会员客单价", "非会员客单价"]}


@right("4.6")
def r_4_6(shop):
    return member_figures(shop)


@wrong("4.6", "repurchase rate over all customers of the group, non-buyers included")
def w_4_6_a(shop):
    return member_figures(shop, repeat_base="all")


@wrong("4.6", "客单价 as average spend per buying customer")
def w_4_6_b(shop):
    return member_figures(shop, aov="customers")


@wrong("4.6", "repurchase as 3 or more orders (> 2 instead of >= 2)")
def w_4_6_c(shop):
    return member_figures(shop, n_repeat=3)


@wrong("4.6", "客单价 denominator counts all orders, refunded ones included")
def w_4_6_d(shop):
    return member_figures(shop, aov_orders="all")


def benefit_totals(v: pd.DataFrame, reduction=True, revenue="net", ratio=None) -> dict:
    cost = float((v["discount_cost"] + (v["reduction_cost"] if reduction else 0)).sum())
    rev = float((v["paid_amount"] - v["refund_amount"]).sum()) if revenue == "net" else float(v[revenue].sum())
    return {"权益成本": cost, "营收": rev, "成本占营收比例": cost / rev if ratio is None else ratio}


@right("4.7")
def r_4_7(shop):
    return benefit_totals(benefit_orders(shop))


@wrong("4.7", "营收 as the gross amount (before discounts and refunds)")
def w_4_7_a(shop):
    return benefit_totals(benefit_orders(shop), revenue="gross_amount")


@wrong("4.7", "ratio = cost / gross amount (the 4.3 cost rate for the whole shop)")
def w_4_7_b(shop):
    v = benefit_orders(shop)
    answer = benefit_totals(v)
    answer["成本占营收比例"] = answer["权益成本"] / float(v["gross_amount"].sum())
    return answer


@wrong("4.7", "benefit cost without the full-reduction part")
def w_4_7_c(shop):
    return benefit_totals(benefit_orders(shop), reduction=False)


@wrong("4.7", "ratio = plain average of the four tiers' cost rates from 4.3")
def w_4_7_d(shop):
    return benefit_totals(benefit_orders(shop), ratio=float(r_4_3(shop).mean()))


# ================================================================ chapter 05

@right("5.1")
def r_5_1(shop):
    return float((shop.reviews["stars"] >= 4).mean())


@wrong("5.1", "system default reviews excluded (only reviews the buyers wrote)")
def w_5_1_a(shop):
    r = shop.reviews[~shop.reviews["is_default"]]
    return float((r["stars"] >= 4).mean())


@wrong("5.1", "3 stars counted as good (stars >= 3)")
def w_5_1_b(shop):
    return float((shop.reviews["stars"] >= 3).mean())


@wrong("5.1", "share of reviewers whose average stars is at least 4 (per customer, not per review)")
def w_5_1_c(shop):
    return float((shop.reviews.groupby(CID)["stars"].mean() >= 4).mean())


@wrong("5.1", "neutral 3-star reviews left out of the denominator")
def w_5_1_d(shop):
    r = shop.reviews[shop.reviews["stars"] != 3]
    return float((r["stars"] >= 4).mean())


def trust_signals(shop) -> dict:
    r = shop.reviews
    bad = r[r["stars"] <= 2]
    return {"晒单率": float(r["has_photo"].mean()), "商家回复率": float(r["shop_replied"].mean()),
            "差评回复率": float(bad["shop_replied"].mean())}


@right("5.2")
def r_5_2(shop):
    return trust_signals(shop)


@wrong("5.2", "差评回复率 = replied bad reviews / all replied reviews")
def w_5_2_a(shop):
    r = shop.reviews
    answer = trust_signals(shop)
    answer["差评回复率"] = float(((r["stars"] <= 2) & r["shop_replied"]).sum() / r["shop_replied"].sum())
    return answer


@wrong("5.2", "bad reviews taken as 1-3 stars")
def w_5_2_b(shop):
    r = shop.reviews
    answer = trust_signals(shop)
    answer["差评回复率"] = float(r.loc[r["stars"] <= 3, "shop_replied"].mean())
    return answer


@wrong("5.2", "差评回复率 = replied bad reviews / all reviews")
def w_5_2_c(shop):
    r = shop.reviews
    answer = trust_signals(shop)
    answer["差评回复率"] = float(((r["stars"] <= 2) & r["shop_replied"]).mean())
    return answer


@wrong("5.2", "晒单率 over written reviews only (default reviews left out of the denominator)")
def w_5_2_d(shop):
    r = shop.reviews
    answer = trust_signals(shop)
    answer["晒单率"] = float(r.loc[~r["is_default"], "has_photo"].mean())
    return answer


LEVELS = ["普通客户", "成长客户", "成熟客户", "流失客户"]


def levels(orders: pd.DataFrame, day, churn=pd.DateOffset(months=6), mature_and=True, order="usual",
           population=None) -> pd.Series:
    v = with_net(orders[orders["status"] != REFUNDED])
    v = v[v["order_time"] < day]
    s = v.groupby(CID).agg(n=("order_id", "size"), spend=("net", "sum"), last=("order_time", "max"))
    if population is not None:
        s = s.reindex(population)
        s["n"] = s["n"].fillna(0)
        s["spend"] = s["spend"].fillna(0)
    aov = s["spend"] / s["n"]
    out = pd.Series("普通客户", index=s.index)
    growing = s["n"] >= 2
    mature = (s["n"] >= 3) & (aov >= 150) if mature_and else (s["n"] >= 3) | (aov >= 150)
    churned = s["last"] < day - churn
    if order == "usual":
        out[growing] = "成长客户"
        out[mature] = "成熟客户"
        out[churned] = "流失客户"
    else:
        out[mature] = "成熟客户"
        out[growing] = "成长客户"
        out[churned] = "流失客户"
    return out


@right("5.3")
def r_5_3(shop):
    return levels(shop.orders, as_of(shop))


@wrong("5.3", "overrides in the wrong order: 成长 written after 成熟, so 成熟 customers become 成长")
def w_5_3_a(shop):
    return levels(shop.orders, as_of(shop), order="swapped")


@wrong("5.3", "churn cut at 180 days instead of 6 calendar months")
def w_5_3_b(shop):
    return levels(shop.orders, as_of(shop), churn=pd.Timedelta(days=180))


@wrong("5.3", "成熟 with | instead of & (3+ orders OR AOV >= 150)")
def w_5_3_c(shop):
    return levels(shop.orders, as_of(shop), mature_and=False)


@wrong("5.3", "every registered customer listed, never-buyers as 普通客户")
def w_5_3_d(shop):
    return levels(shop.orders, as_of(shop), population=pd.Index(shop.customers[CID], name=CID))


def quarter_ends(shop) -> list:
    return [p.end_time.normalize() + pd.Timedelta(days=1)
            for p in pd.period_range(shop.orders["order_time"].min(), shop.orders["order_time"].max(), freq="Q")]


def level_table(shop, cut_orders=True, churn=pd.DateOffset(months=6), fill=True, transpose=True) -> pd.DataFrame:
    table = {}
    for d in quarter_ends(shop):
        orders = shop.orders[shop.orders["order_time"] < d] if cut_orders else shop.orders
        lv = levels(orders, d, churn=churn) if cut_orders else _levels_uncut(orders, d, churn)
        counts = lv.value_counts()
        table[d] = counts.reindex(LEVELS, fill_value=0) if fill else counts.reindex(LEVELS)
    df = pd.DataFrame(table)
    return df.T.rename_axis("as_of") if transpose else df


def _levels_uncut(orders, day, churn):
    # the learner forgot to drop orders after the quarter's reference day
    v = with_net(orders[orders["status"] != REFUNDED])
    s = v.groupby(CID).agg(n=("order_id", "size"), spend=("net", "sum"), last=("order_time", "max"))
    aov = s["spend"] / s["n"]
    out = pd.Series("普通客户", index=s.index)
    out[s["n"] >= 2] = "成长客户"
    out[(s["n"] >= 3) & (aov >= 150)] = "成熟客户"
    out[s["last"] < day - churn] = "流失客户"
    return out


@right("5.4")
def r_5_4(shop):
    return level_table(shop)


@wrong("5.4", "orders after each quarter's reference day not removed (future orders used)")
def w_5_4_a(shop):
    return level_table(shop, cut_orders=False)


@wrong("5.4", "not transposed: quarters as columns, levels as rows")
def w_5_4_b(shop):
    return level_table(shop, transpose=False)


@wrong("5.4", "reindex without fill_value: NaN where a level has nobody")
def w_5_4_c(shop):
    return level_table(shop, fill=False)


@wrong("5.4", "churn cut at 180 days instead of 6 calendar months")
def w_5_4_d(shop):
    return level_table(shop, churn=pd.Timedelta(days=180))


def value_table(shop, item_orders=None, categories="nunique", quantity="sum", merge_first=False) -> pd.DataFrame:
    v = with_net(valid(shop))
    items_of = v if item_orders is None else item_orders
    items = shop.order_items.merge(items_of[["order_id", CID]], on="order_id")
    items = items.merge(shop.products[["product_id", "category"]], on="product_id")
    b = items.groupby(CID).agg(categories=("category", categories), quantity=("quantity", quantity))
    if merge_first:
        m = items.merge(v[["order_id", "net"]], on="order_id")
        a = m.groupby(CID).agg(spend=("net", "sum"), frequency=("order_id", "count"))
    else:
        a = v.groupby(CID).agg(spend=("net", "sum"), frequency=("order_id", "count"))
    return a.join(b).reset_index()


@right("5.5")
def r_5_5(shop):
    return value_table(shop)


@wrong("5.5", "categories counted with count (one per order line) instead of nunique")
def w_5_5_a(shop):
    return value_table(shop, categories="count")


@wrong("5.5", "spend and frequency summed after merging order lines (multi-line orders counted twice)")
def w_5_5_b(shop):
    return value_table(shop, merge_first=True)


@wrong("5.5", "order lines of refunded orders kept for categories and quantity")
def w_5_5_c(shop):
    return value_table(shop, item_orders=shop.orders)


@wrong("5.5", "quantity as the number of order lines instead of the sum of quantity")
def w_5_5_d(shop):
    return value_table(shop, quantity="count")


@right("5.6")
def r_5_6(shop):
    return shop.customers["referrer_id"].value_counts()


@wrong("5.6", "value_counts(dropna=False): a NaN row for customers without a referrer")
def w_5_6_a(shop):
    return shop.customers["referrer_id"].value_counts(dropna=False)


@wrong("5.6", "only referred customers who went on to place a valid order counted")
def w_5_6_b(shop):
    c = shop.customers
    return c.loc[c[CID].isin(valid(shop)[CID]), "referrer_id"].value_counts()


@wrong("5.6", "reindexed to every customer with 0 (customers who referred nobody listed)")
def w_5_6_c(shop):
    return shop.customers["referrer_id"].value_counts().reindex(shop.customers[CID], fill_value=0)


@wrong("5.6", "merged the referred customers with their orders first, so referrals counted per order")
def w_5_6_d(shop):
    c = shop.customers[shop.customers["referrer_id"].notna()][[CID, "referrer_id"]]
    return c.merge(shop.orders[[CID, "order_id"]], on=CID)["referrer_id"].value_counts()


def campaign_rates(contacts: pd.DataFrame, column="converted", how="mean") -> pd.DataFrame:
    return contacts.groupby(["campaign_id", "group"])[column].agg(how).unstack("group")


@right("5.7")
def r_5_7(shop):
    g = campaign_rates(shop.campaign_contacts)
    return g["实验组"] - g["对照组"]


@wrong("5.7", "treatment group restricted to delivered messages")
def w_5_7_a(shop):
    c = shop.campaign_contacts
    c = c[(c["group"] == "对照组") | c["delivered"]]
    g = campaign_rates(c)
    return g["实验组"] - g["对照组"]


@wrong("5.7", "relative lift (treatment / control - 1) instead of the difference")
def w_5_7_b(shop):
    g = campaign_rates(shop.campaign_contacts)
    return g["实验组"] / g["对照组"] - 1


@wrong("5.7", "used the clicked column instead of converted")
def w_5_7_c(shop):
    g = campaign_rates(shop.campaign_contacts, column="clicked")
    return g["实验组"] - g["对照组"]


@wrong("5.7", "difference of converted counts (sum) instead of rates")
def w_5_7_d(shop):
    g = campaign_rates(shop.campaign_contacts, how="sum")
    return (g["实验组"] - g["对照组"]).astype(float)


def before_after(shop, pre_members="treatment", days=None, measure="share", post_delivered=False) -> pd.Series:
    contacts = shop.campaign_contacts
    v = valid(shop)
    out = {}
    for _, camp in shop.campaigns.iterrows():
        c = contacts[contacts["campaign_id"] == camp["campaign_id"]]
        treat = c[c["group"] == "实验组"]
        members = treat[CID] if pre_members == "treatment" else c[CID]
        start = camp["send_time"] - pd.Timedelta(days=camp["window_days"] if days is None else days)
        pre = v[(v["order_time"] >= start) & (v["order_time"] < camp["send_time"])]
        if measure == "share":
            pre_rate = members.isin(pre[CID]).mean()
        else:
            pre_rate = pre[CID].isin(members).sum() / len(members)
        post = treat[treat["delivered"]] if post_delivered else treat
        out[camp["campaign_id"]] = post["converted"].mean() - pre_rate
    return pd.Series(out).rename_axis("campaign_id")


@right("5.8")
def r_5_8(shop):
    return before_after(shop)


@wrong("5.8", "pre-send share measured over all contacts of the campaign, control group included")
def w_5_8_a(shop):
    return before_after(shop, pre_members="all")


@wrong("5.8", "pre-send orders per member (order count) instead of the share of members who ordered")
def w_5_8_b(shop):
    return before_after(shop, measure="orders")


@wrong("5.8", "pre-send window hard-coded to 30 days instead of the campaign's window_days")
def w_5_8_c(shop):
    return before_after(shop, days=30)


@wrong("5.8", "after-send conversion over delivered messages only")
def w_5_8_d(shop):
    return before_after(shop, post_delivered=True)


def advice_5(shop, good=None, lv=None, best=None) -> dict:
    lv = r_5_3(shop) if lv is None else lv
    return {"好评率": r_5_1(shop) if good is None else good,
            "成熟客户数": int((lv == "成熟客户").sum()), "流失客户数": int((lv == "流失客户").sum()),
            "增益最大的活动": r_5_7(shop).idxmax() if best is None else best}


@right("5.10")
def r_5_10(shop):
    return advice_5(shop)


@wrong("5.10", "best campaign by relative lift instead of the 5.7 uplift")
def w_5_10_a(shop):
    return advice_5(shop, best=w_5_7_b(shop).idxmax())


@wrong("5.10", "churned count with 180 days instead of 6 calendar months")
def w_5_10_b(shop):
    return advice_5(shop, lv=w_5_3_b(shop))


@wrong("5.10", "good-review rate per reviewer instead of per review")
def w_5_10_c(shop):
    return advice_5(shop, good=w_5_1_c(shop))


@wrong("5.10", "mature customers counted before the churn override (churned mature customers included)")
def w_5_10_d(shop):
    answer = advice_5(shop)
    v = with_net(valid(shop))
    s = v.groupby(CID).agg(n=("order_id", "size"), spend=("net", "sum"))
    answer["成熟客户数"] = int(((s["n"] >= 3) & (s["spend"] / s["n"] >= 150)).sum())
    return answer


# ================================================================ chapter 06

@right("6.1")
def r_6_1(shop):
    return float((shop.surveys["csat"] >= 4).mean())


@wrong("6.1", "only 5-point answers counted as satisfied")
def w_6_1_a(shop):
    return float((shop.surveys["csat"] == 5).mean())


@wrong("6.1", "average csat divided by 5")
def w_6_1_b(shop):
    return float(shop.surveys["csat"].mean() / 5)


@wrong("6.1", "share of customers whose average csat is at least 4 (per customer, not per survey)")
def w_6_1_c(shop):
    return float((shop.surveys.groupby(CID)["csat"].mean() >= 4).mean())


@wrong("6.1", "satisfied surveys divided by the number of distinct respondents")
def w_6_1_d(shop):
    s = shop.surveys
    return float((s["csat"] >= 4).sum() / s[CID].nunique())


@right("6.2")
def r_6_2(shop):
    s = shop.surveys["nps"]
    return float(((s >= 9).mean() - (s <= 6).mean()) * 100)


@wrong("6.2", "promoters taken as 8-10")
def w_6_2_a(shop):
    s = shop.surveys["nps"]
    return float(((s >= 8).mean() - (s <= 6).mean()) * 100)


@wrong("6.2", "passives (7-8) left out of the denominator")
def w_6_2_b(shop):
    s = shop.surveys["nps"]
    s = s[(s >= 9) | (s <= 6)]
    return float(((s >= 9).mean() - (s <= 6).mean()) * 100)


@wrong("6.2", "computed per customer on each respondent's average score")
def w_6_2_c(shop):
    s = shop.surveys.groupby(CID)["nps"].mean()
    return float(((s >= 9).mean() - (s <= 6).mean()) * 100)


@wrong("6.2", "detractors taken as 0-5 (< 6)")
def w_6_2_d(shop):
    s = shop.surveys["nps"]
    return float(((s >= 9).mean() - (s < 6).mean()) * 100)


@right("6.3")
def r_6_3(shop):
    return float((valid_counts(shop) >= 2).mean())


@wrong("6.3", "denominator = all registered customers")
def w_6_3_a(shop):
    return float((valid_counts(shop) >= 2).sum() / len(shop.customers))


@wrong("6.3", "more than 2 orders (> 2)")
def w_6_3_b(shop):
    return float((valid_counts(shop) > 2).mean())


@wrong("6.3", "only 交易成功 orders counted")
def w_6_3_c(shop):
    o = shop.orders
    return float((o[o["status"] == "交易成功"].groupby(CID).size() >= 2).mean())


@wrong("6.3", "share of valid orders that are repeat orders (per order, not per customer)")
def w_6_3_d(shop):
    v = valid(shop).sort_values("order_time")
    return float((v.groupby(CID).cumcount() >= 1).mean())


def satisfied_not_loyal(shop, satisfied=lambda m: m >= 4, disloyal=lambda n: n < 2, fill=True,
                        per_survey=False) -> set:
    s = shop.surveys
    if per_survey:
        m = s.groupby(CID)["csat"].max()
    else:
        m = s.groupby(CID)["csat"].mean()
    counts = valid_counts(shop)
    n = counts.reindex(m.index, fill_value=0) if fill else counts.reindex(m.index).dropna()
    m = m.reindex(n.index)
    return set(m[satisfied(m) & disloyal(n)].index)


@right("6.4")
def r_6_4(shop):
    return satisfied_not_loyal(shop)


@wrong("6.4", "satisfaction from the service chats' satisfaction column instead of survey csat")
def w_6_4_a(shop):
    m = shop.service_chats.groupby(CID)["satisfaction"].mean().dropna()
    n = valid_counts(shop).reindex(m.index, fill_value=0)
    return set(m[(m >= 4) & (n < 2)].index)


@wrong("6.4", "average csat strictly above 4")
def w_6_4_b(shop):
    return satisfied_not_loyal(shop, satisfied=lambda m: m > 4)


@wrong("6.4", "respondents without any valid order dropped (inner alignment)")
def w_6_4_c(shop):
    return satisfied_not_loyal(shop, fill=False)


@wrong("6.4", "not loyal as 2 orders or fewer (<= 2)")
def w_6_4_d(shop):
    return satisfied_not_loyal(shop, disloyal=lambda n: n <= 2)


def quarter_churn(shop, mid_offset=pd.DateOffset(months=3), begin_offset=pd.DateOffset(months=6),
                  previous_all=False, union=False) -> float:
    v = valid(shop)
    day = as_of(shop)
    mid, begin = day - mid_offset, day - begin_offset
    t = v["order_time"]
    prev = set(v.loc[(t < mid) & ((t >= begin) | previous_all), CID])
    cur = set(v.loc[(t >= mid) & (t < day), CID])
    base = prev | cur if union else prev
    return len(prev - cur) / len(base)


@right("6.5")
def r_6_5(shop):
    return quarter_churn(shop)


@wrong("6.5", "90 / 180 days instead of 3 / 6 calendar months")
def w_6_5_a(shop):
    return quarter_churn(shop, pd.Timedelta(days=90), pd.Timedelta(days=180))


@wrong("6.5", "denominator = customers of either period")
def w_6_5_b(shop):
    return quarter_churn(shop, union=True)


@wrong("6.5", "previous period = everything before the mid point, not just months 6 to 3")
def w_6_5_c(shop):
    return quarter_churn(shop, previous_all=True)


@wrong("6.5", "kept the glossary's half-year periods (12-6 and 6-0 months)")
def w_6_5_d(shop):
    return quarter_churn(shop, pd.DateOffset(months=6), pd.DateOffset(months=12))


def cohorts(shop, rule="next_month", keep_last=False, count="customers", cohort_from="first_order") -> pd.Series:
    v = valid(shop).copy()
    v["month"] = v["order_time"].dt.to_period("M")
    if cohort_from == "first_order":
        v["cohort"] = v.groupby(CID)["month"].transform("min")
    else:
        v["cohort"] = v[CID].map(shop.customers.set_index(CID)["register_date"].dt.to_period("M"))
    size = v.groupby("cohort")[CID].nunique()
    if rule == "next_month":
        again = v[v["month"] == v["cohort"] + 1]
    else:
        first_time = v.groupby(CID)["order_time"].transform("min")
        again = v[(v["order_time"] > first_time) & (v["order_time"] <= first_time + pd.Timedelta(days=30))]
    n = again.groupby("cohort")[CID].nunique() if count == "customers" else again.groupby("cohort").size()
    rate = (n.reindex(size.index, fill_value=0) / size)
    if not keep_last:
        rate = rate[rate.index < v["month"].max()]
    rate.index = rate.index.astype(str)
    return rate


@right("6.6")
def r_6_6(shop):
    return cohorts(shop)


@wrong("6.6", "bought again within 30 days after the first order instead of in the next calendar month")
def w_6_6_a(shop):
    return cohorts(shop, rule="30_days")


@wrong("6.6", "kept the last cohort, whose next month is not observed")
def w_6_6_b(shop):
    return cohorts(shop, keep_last=True)


@wrong("6.6", "counted next-month orders instead of distinct customers")
def w_6_6_c(shop):
    return cohorts(shop, count="orders")


@wrong("6.6", "cohort by registration month instead of first-order month")
def w_6_6_d(shop):
    return cohorts(shop, cohort_from="register")


_BGNBD_CACHE: dict = {}


def holdout(shop):
    start = shop.orders["order_time"].min().normalize()
    day = as_of(shop)
    cutoff = (start + (day - start) / 2).ceil("D")
    return cutoff, (day - cutoff).days


def bgnbd_prediction(shop, fit_on_all=False) -> pd.DataFrame:
    key = (id(shop), fit_on_all)
    if key not in _BGNBD_CACHE:
        cutoff, horizon = holdout(shop)
        params = ck.loyalty.fit_bgnbd(shop.orders, as_of=None if fit_on_all else cutoff)
        _BGNBD_CACHE[key] = ck.loyalty.predict_clv(shop.orders, as_of=cutoff, horizon_days=horizon,
                                                    params=params)
    return _BGNBD_CACHE[key]


def holdout_dict(shop, predicted=None, actual=None) -> dict:
    pred = bgnbd_prediction(shop)
    cutoff, _ = holdout(shop)
    v = valid(shop)
    after = v[v["order_time"] >= cutoff]
    actual_n = int(after[CID].isin(pred.index).sum()) if actual is None else actual
    return {"预测订单数": float(pred["expected_orders"].sum()) if predicted is None else predicted,
            "实际订单数": actual_n}


@right("6.7")
def r_6_7(shop):
    return holdout_dict(shop)


@wrong("6.7", "actual orders after the cutoff counted for every customer, new customers included")
def w_6_7_a(shop):
    cutoff, _ = holdout(shop)
    return holdout_dict(shop, actual=int((valid(shop)["order_time"] >= cutoff).sum()))


@wrong("6.7", "actual counted as distinct old customers who ordered after the cutoff")
def w_6_7_b(shop):
    cutoff, _ = holdout(shop)
    v = valid(shop)
    after = v[(v["order_time"] >= cutoff) & v[CID].isin(bgnbd_prediction(shop).index)]
    return holdout_dict(shop, actual=int(after[CID].nunique()))


@wrong("6.7", "predicted orders averaged per customer instead of summed")
def w_6_7_c(shop):
    return holdout_dict(shop, predicted=float(bgnbd_prediction(shop)["expected_orders"].mean()))


@wrong("6.7", "model fitted on all data (leaks the holdout) before predicting from the cutoff")
def w_6_7_d(shop):
    return holdout_dict(shop, predicted=float(bgnbd_prediction(shop, fit_on_all=True)["expected_orders"].sum()))


@right("6.8")
def r_6_8(shop):
    g = campaign_rates(shop.campaign_contacts)
    return g["实验组"] - g["对照组"]


@wrong("6.8", "treatment rate minus the campaign's overall rate (both groups pooled)")
def w_6_8_a(shop):
    c = shop.campaign_contacts
    g = campaign_rates(c)
    return g["实验组"] - c.groupby("campaign_id")["converted"].mean()


@wrong("6.8", "groups taken from delivered (delivered vs not delivered) instead of the group column")
def w_6_8_b(shop):
    c = shop.campaign_contacts
    g = c.groupby(["campaign_id", "delivered"])["converted"].mean().unstack("delivered")
    return g[True] - g[False]


@wrong("6.8", "treatment conversion rate only, control not subtracted")
def w_6_8_c(shop):
    return campaign_rates(shop.campaign_contacts)["实验组"]


@wrong("6.8", "one control rate pooled over all campaigns subtracted from each treatment rate")
def w_6_8_d(shop):
    c = shop.campaign_contacts
    pooled = c.loc[c["group"] == "对照组", "converted"].mean()
    return campaign_rates(c)["实验组"] - pooled


def loyalty_figures(shop, satisfied=lambda m: m >= 4, disloyal=lambda n: n < 2, per_survey=False,
                    ratio_base="satisfied") -> dict:
    s = shop.surveys
    if per_survey:
        sat_count = int((s["csat"] >= 4).sum())
    m = s.groupby(CID)["csat"].mean()
    n = valid_counts(shop).reindex(m.index, fill_value=0)
    sat = satisfied(m)
    n_sat = int(sat.sum()) if not per_survey else sat_count
    n_snl = int((sat & disloyal(n)).sum())
    base = n_sat if ratio_base == "satisfied" else len(m)
    return {"满意客户数": n_sat, "满意但不忠诚人数": n_snl, "满意但不忠诚占满意客户比例": n_snl / base}


@right("6.9")
def r_6_9(shop):
    return loyalty_figures(shop)


@wrong("6.9", "ratio over all respondents instead of satisfied customers")
def w_6_9_a(shop):
    return loyalty_figures(shop, ratio_base="all")


@wrong("6.9", "satisfied count as the number of surveys with csat >= 4")
def w_6_9_b(shop):
    return loyalty_figures(shop, per_survey=True)


@wrong("6.9", "not loyal as 2 orders or fewer")
def w_6_9_c(shop):
    return loyalty_figures(shop, disloyal=lambda n: n <= 2)


@wrong("6.9", "satisfied as average csat strictly above 4")
def w_6_9_d(shop):
    return loyalty_figures(shop, satisfied=lambda m: m > 4)


# ================================================================ chapter 07

def members_with_platform(shop) -> pd.DataFrame:
    return shop.community_members.merge(shop.communities[["community_id", "platform", "name"]], on="community_id")


@right("7.1")
def r_7_1(shop):
    return members_with_platform(shop).groupby("platform")[CID].nunique()


@wrong("7.1", "counted communities per platform instead of members")
def w_7_1_a(shop):
    return shop.communities.groupby("platform")["community_id"].nunique()


@wrong("7.1", "only members who were ever active (last_active_date not empty)")
def w_7_1_b(shop):
    m = members_with_platform(shop)
    return m[m["last_active_date"].notna()].groupby("platform")[CID].nunique()


@wrong("7.1", "grouped by community name instead of platform")
def w_7_1_c(shop):
    return members_with_platform(shop).groupby("name")[CID].nunique()


@wrong("7.1", "membership rows counted (size), a customer in two groups of a platform counted twice")
def w_7_1_d(shop):
    return members_with_platform(shop).groupby("platform").size()


def active_share(shop, start=None, drop_silent=False, by="community_id") -> pd.Series:
    m = members_with_platform(shop)
    if drop_silent:
        m = m[m["last_active_date"].notna()]
    start = last_day(shop) - pd.Timedelta(days=89) if start is None else start
    return (m["last_active_date"] >= start).groupby(m[by]).mean()


@right("7.2")
def r_7_2(shop):
    return active_share(shop)


@wrong("7.2", "members who never spoke dropped from the denominator")
def w_7_2_a(shop):
    return active_share(shop, drop_silent=True)


@wrong("7.2", "window start last day - 90 days (91 days counted)")
def w_7_2_b(shop):
    return active_share(shop, start=last_day(shop) - pd.Timedelta(days=90))


@wrong("7.2", "active taken as ever having posted (messages > 0), no 90-day window")
def w_7_2_c(shop):
    m = shop.community_members
    return (m["messages"] > 0).groupby(m["community_id"]).mean()


@wrong("7.2", "3 calendar months instead of 90 days")
def w_7_2_d(shop):
    return active_share(shop, start=last_day(shop) - pd.DateOffset(months=3))


def member_repeat(shop, population="buyers", member_ids=None, n_repeat=2) -> dict:
    counts = valid_counts(shop)
    if population == "all":
        counts = counts.reindex(shop.customers[CID], fill_value=0)
    ids = shop.community_members[CID] if member_ids is None else member_ids
    mem = counts.index.isin(ids)
    return {"社群成员": float((counts[mem] >= n_repeat).mean()), "非成员": float((counts[~mem] >= n_repeat).mean())}


@right("7.3")
def r_7_3(shop):
    return member_repeat(shop)


@wrong("7.3", "all registered customers as the population (non-buyers count as non-repeat)")
def w_7_3_a(shop):
    return member_repeat(shop, population="all")


@wrong("7.3", "membership taken from customers.is_member (store membership) instead of community members")
def w_7_3_b(shop):
    c = shop.customers
    return member_repeat(shop, member_ids=c.loc[c["is_member"], CID])


@wrong("7.3", "repeat as 3 or more orders")
def w_7_3_c(shop):
    return member_repeat(shop, n_repeat=3)


@wrong("7.3", "member rate averaged over membership rows after a merge (two-group members counted twice)")
def w_7_3_d(shop):
    answer = member_repeat(shop)
    counts = valid_counts(shop).rename("n").reset_index()
    m = counts.merge(shop.community_members[[CID]], on=CID)
    answer["社群成员"] = float((m["n"] >= 2).mean())
    return answer


def pre_join(shop, gap_rule=True, eligible=True, rule="after_first_day", join_agg="min") -> dict:
    v = valid(shop).assign(day=valid(shop)["order_time"].dt.normalize())
    first = v.groupby(CID)["day"].min()
    f = v[CID].map(first)
    if rule == "after_first_day":
        again = (v["day"] > f) & (v["day"] <= f + pd.Timedelta(days=30))
        rebuy = again.groupby(v[CID]).any()
    else:
        within = (v["day"] >= f) & (v["day"] <= f + pd.Timedelta(days=30))
        rebuy = within.groupby(v[CID]).sum() >= 2
    join = shop.community_members.groupby(CID)["join_date"].agg(join_agg)
    gap = (join.reindex(first.index) - first).dt.days
    joined = first.index.isin(join.index)
    joiners = first.index[joined & (gap > 30).to_numpy()] if gap_rule else first.index[joined]
    keep = (first <= last_day(shop) - pd.Timedelta(days=30)).to_numpy() if eligible else True
    stayers = first.index[~joined & keep]
    return {"入群者": float(rebuy.reindex(joiners).mean()), "未入群者": float(rebuy.reindex(stayers).mean())}


@right("7.4")
def r_7_4(shop):
    return pre_join(shop)


@wrong("7.4", "every community member who bought counted as a joiner (no 30-day gap before joining)")
def w_7_4_a(shop):
    return pre_join(shop, gap_rule=False)


@wrong("7.4", "non-joiners not required to have 30 days observed after the first order")
def w_7_4_b(shop):
    return pre_join(shop, eligible=False)


@wrong("7.4", "two valid orders within [first day, first day + 30] (a same-day second order counts)")
def w_7_4_c(shop):
    return pre_join(shop, rule="two_in_window")


@wrong("7.4", "latest join date (max) instead of the earliest")
def w_7_4_d(shop):
    return pre_join(shop, join_agg="max")


def truth_medians(shop, buyers_only=True, member_ids=None, column="purchase_rate", how="median") -> dict:
    t = shop.truth.set_index(CID)[column]
    if buyers_only:
        t = t[t.index.isin(set(valid(shop)[CID]))]
    ids = shop.community_members[CID] if member_ids is None else member_ids
    mem = t.index.isin(ids)
    return {"社群成员": float(t[mem].agg(how)), "非成员": float(t[~mem].agg(how))}


@right("7.5")
def r_7_5(shop):
    return truth_medians(shop)


@wrong("7.5", "all customers in the truth table, not only buyers")
def w_7_5_a(shop):
    return truth_medians(shop, buyers_only=False)


@wrong("7.5", "mean instead of median")
def w_7_5_b(shop):
    return truth_medians(shop, how="mean")


@wrong("7.5", "membership from customers.is_member instead of community members")
def w_7_5_c(shop):
    c = shop.customers
    return truth_medians(shop, member_ids=c.loc[c["is_member"], CID])


@wrong("7.5", "used expected_purchases_next_year instead of purchase_rate")
def w_7_5_d(shop):
    return truth_medians(shop, column="expected_purchases_next_year")


def qianniu_plan(shop, unique=True, start=None, target=lambda b: b + 0.05, activity=False) -> dict:
    m = members_with_platform(shop)
    m = m[m["platform"] == "千牛群"]
    ids = set(m[CID])
    n = len(ids) if unique else len(m)
    start = last_day(shop) - pd.Timedelta(days=89) if start is None else start
    if activity:
        recent = set(m.loc[m["last_active_date"] >= start, CID])
    else:
        v = valid(shop)
        recent = set(v.loc[v["order_time"] >= start, CID])
    base = len(ids & recent) / n
    return {"成员人数": n, "基线": base, "目标": target(base), "实验组人数": n // 2}


@right("7.6")
def r_7_6(shop):
    return qianniu_plan(shop)


@wrong("7.6", "成员人数 as membership rows of the two groups (a customer in both counted twice)")
def w_7_6_a(shop):
    return qianniu_plan(shop, unique=False)


@wrong("7.6", "target as baseline x 1.05 (5 percent relative) instead of +5 points")
def w_7_6_b(shop):
    return qianniu_plan(shop, target=lambda b: b * 1.05)


@wrong("7.6", "baseline denominator = members who ever placed a valid order, not all members")
def w_7_6_c(shop):
    answer = qianniu_plan(shop)
    m = members_with_platform(shop)
    ids = set(m.loc[m["platform"] == "千牛群", CID])
    v = valid(shop)
    buyers = ids & set(v[CID])
    recent = set(v.loc[v["order_time"] >= last_day(shop) - pd.Timedelta(days=89), CID])
    answer["基线"] = len(buyers & recent) / len(buyers)
    answer["目标"] = answer["基线"] + 0.05
    return answer


@wrong("7.6", "baseline from community activity (last_active_date) instead of valid orders")
def w_7_6_d(shop):
    return qianniu_plan(shop, activity=True)


# ================================================================ harness

def same_answer(a, b) -> bool:
    """True when a wrong answer equals the blind right answer on this shop (not a mistake here)."""
    numbers = (int, float, np.number)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_answer(a[k], b[k]) for k in a)
    if isinstance(a, pd.Series):
        try:
            pd.testing.assert_series_equal(a.sort_index(), b.sort_index(), check_names=False,
                                           check_dtype=False, rtol=1e-9)
            return True
        except (AssertionError, TypeError, ValueError):
            return False
    if isinstance(a, pd.DataFrame):
        try:
            pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-9)
            return True
        except (AssertionError, TypeError, ValueError):
            return False
    return a == b


def classify(result) -> str:
    if result.status == "correct":
        return "accepted"
    diagnosis = result.diagnosis or ""
    return "generic" if not diagnosis or diagnosis.startswith("generic:") else "named"


def chapter(eid: str) -> str:
    return eid.split(".")[0]


def exercise_ids() -> list[str]:
    from crmkit.grading.declare import all_exercises
    return [e for e in all_exercises() if chapter(e) in {"0", "1", "2", "3", "4", "5", "6", "7"} and e != "5.9"]


def parse_seeds(text: str) -> list[int | None]:
    return [None if s.strip().lower() in {"none", "course"} else int(s) for s in text.split(",") if s.strip()]


def run(only: list[str] | None, seeds: list[int | None]) -> int:
    import time
    from collections import Counter, defaultdict

    from crmkit.grading.checker import evaluate
    from crmkit.grading.declare import get_exercise
    from crmkit.shop import pristine_shop

    ids = [e for e in exercise_ids() if not only or e in only]
    missing = [e for e in ids if e not in RIGHT or sum(w[0] == e for w in WRONG) != 4]
    if missing:
        print("exercises without a right answer or four wrong answers:", missing)
    per_chapter: dict[str, Counter] = defaultdict(Counter)
    misses, right_rejected, errors = [], [], []
    for seed in seeds:
        started = time.perf_counter()
        shop = pristine_shop(seed)
        label = "course" if seed is None else f"seed {seed}"
        for eid in ids:
            exercise = get_exercise(eid)
            right_answer = RIGHT[eid](shop)
            verdict = evaluate(exercise, right_answer, shop)
            if verdict.status != "correct":
                right_rejected.append((label, eid, verdict.status, verdict.diagnosis))
            for wid, description, fn in WRONG:
                if wid != eid:
                    continue
                try:
                    answer = fn(shop)
                except Exception as exc:  # a broken wrong answer is this file's bug, listed not hidden
                    errors.append((label, eid, description, repr(exc)))
                    continue
                if same_answer(answer, right_answer):
                    per_chapter[chapter(eid)]["same"] += 1
                    continue
                result = evaluate(exercise, answer, shop)
                kind = classify(result)
                per_chapter[chapter(eid)][kind] += 1
                if kind != "named":
                    misses.append((label, eid, kind, description, result.diagnosis or ""))
        print(f"graded {label} in {time.perf_counter() - started:.1f} s")

    print(f"\n{'chapter':>7} {'named':>6} {'generic':>8} {'accepted':>9} {'same':>5} {'named %':>8}")
    total = Counter()
    for ch in sorted(per_chapter, key=int):
        c = per_chapter[ch]
        total.update(c)
        graded = c["named"] + c["generic"] + c["accepted"]
        print(f"{ch:>7} {c['named']:>6} {c['generic']:>8} {c['accepted']:>9} {c['same']:>5} "
              f"{100 * c['named'] / graded if graded else 0:>7.1f}%")
    graded = total["named"] + total["generic"] + total["accepted"]
    print(f"{'all':>7} {total['named']:>6} {total['generic']:>8} {total['accepted']:>9} {total['same']:>5} "
          f"{100 * total['named'] / graded if graded else 0:>7.1f}%")
    print(f"\nwrong answers graded: {graded} (same as the blind right answer, not graded: {total['same']})")
    print(f"\nmisses ({len(misses)}):")
    for label, eid, kind, description, code in misses:
        print(f"  [{label}] {eid:<5} {kind:<8} {description}" + (f"  <{code}>" if code else ""))
    print(f"\nblind right answers not accepted ({len(right_rejected)}):")
    for label, eid, status, diagnosis in right_rejected:
        print(f"  [{label}] {eid:<5} {status} {diagnosis}")
    if errors:
        print(f"\nwrong answers that raised ({len(errors)}):")
        for label, eid, description, exc in errors:
            print(f"  [{label}] {eid:<5} {description}: {exc}")
    return 1 if total["accepted"] or right_rejected or errors else 0


def main(argv=None) -> int:
    import argparse
    parser = argparse.ArgumentParser(description="Grade held-out wrong-answer set B against the course checker.")
    parser.add_argument("--only", default="", help="exercise ids, comma-separated (default: all of chapters 00-07)")
    parser.add_argument("--seeds", default="none,11,12",
                        help="shops, comma-separated: none = the course shop, integers = seeds (default none,11,12)")
    args = parser.parse_args(argv)
    only = [e.strip() for e in args.only.split(",") if e.strip()] or None
    return run(only, parse_seeds(args.seeds))


if __name__ == "__main__":
    raise SystemExit(main())
