"""The raw order export of chapter 01: committed file is reproducible, has real-export faults,
and cleaning it recovers the shop's values."""

from __future__ import annotations

import pandas as pd
import pytest

import crmkit as ck
from crmkit import rawexport
from crmkit.exercises.ch01 import CLEAN_COLUMNS, clean_raw, cleaned_export
from crmkit.grading.compare import FrameOf
from crmkit.privacy import PHONE_RE


@pytest.fixture(scope="module")
def shop():
    return ck.load_shop()


@pytest.fixture(scope="module")
def raw():
    return rawexport.load_raw_export()


def test_committed_file_is_regenerated_byte_for_byte(shop, tmp_path):
    committed = rawexport.raw_export_path()
    assert committed is not None, "datasets/raw/orders_export.csv is missing"
    fresh = rawexport.write_raw_export(shop, tmp_path)
    assert fresh.read_bytes() == committed.read_bytes(), \
        "the raw export changed: regenerate it with crmkit.rawexport.write_raw_export"


def test_same_seed_same_export_other_seed_differs(shop):
    a = rawexport.raw_export(shop, seed=5)
    assert a.equals(rawexport.raw_export(shop, seed=5))
    assert not a.equals(rawexport.raw_export(shop, seed=6))


def test_export_has_the_faults_of_real_exports(raw):
    assert 200 <= len(raw) <= 400
    assert raw.columns[0] == "订单编号" and "收货人姓名" in raw.columns
    assert raw.duplicated().sum() >= 5
    assert raw["买家实际支付金额"].str.startswith("¥").any()
    assert (~raw["买家实际支付金额"].str.startswith("¥")).any()
    assert raw["总金额"].str.contains(",").any() or raw["总金额"].str.contains("¥").any()
    times = raw["订单付款时间"]
    assert times.str.contains("/").any() and times.str.contains("年").any() \
        and times.str.match(r"\d{4}-\d{2}-\d{2} ").any()
    assert raw["联系手机"].isna().sum() >= 5
    phones = raw["联系手机"].dropna()
    assert phones.str.contains(PHONE_RE.pattern).sum() > len(phones) // 2
    assert phones.str.contains(" ").any() and phones.str.startswith("+86").any()
    assert not raw["收货人姓名"].str.contains("*", regex=False).any()


def test_cleaning_recovers_the_shops_values(shop, raw):
    cleaned = clean_raw(raw)
    expected = cleaned_export(shop)
    assert list(cleaned.columns) == CLEAN_COLUMNS
    assert cleaned["order_id"].is_unique and len(cleaned) == raw.drop_duplicates().shape[0]
    mismatch = FrameOf(key="order_id", atol=0.005).compare(cleaned, expected)
    assert mismatch is None, mismatch.message
    # The recovered values are the shop's own.
    orders = shop.orders.set_index("order_id").loc[cleaned["order_id"]]
    assert (cleaned["order_time"].to_numpy() == orders["order_time"].to_numpy()).all()
    assert (cleaned["paid_amount"] - orders["paid_amount"].to_numpy()).abs().max() < 0.005
    phones = shop.customers.set_index("customer_id").loc[orders["customer_id"], "phone"]
    known = cleaned["phone"].notna().to_numpy()
    assert (cleaned["phone"].to_numpy()[known] == phones.to_numpy()[known]).all()


def test_other_shops_get_their_own_export():
    small = ck.generate_shop(customers=300, seed=9)
    raw = rawexport.raw_export(small).replace("", pd.NA)
    assert raw["订单编号"].isin(small.orders["order_id"]).all()
    mismatch = FrameOf(key="order_id", atol=0.005).compare(clean_raw(raw), cleaned_export(small))
    assert mismatch is None, mismatch.message


def test_bad_inputs_are_chinese_errors(shop):
    with pytest.raises(ck.CrmkitError, match="n_orders"):
        rawexport.raw_export(shop, n_orders=0)
