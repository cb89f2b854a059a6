"""Same seed, same shop, bit for bit; the committed course shop is what the generator makes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

import crmkit as ck
from crmkit.shop import MANIFEST

ROOT = Path(__file__).resolve().parent.parent


def _generate(out: Path, *args: str) -> dict:
    subprocess.run([sys.executable, "-m", "crmkit.cli", "generate", "--out", str(out), "--quiet",
                    *args], check=True, capture_output=True)
    return json.loads((out / MANIFEST).read_text(encoding="utf-8"))


def test_same_config_gives_byte_identical_files_from_two_processes(tmp_path):
    a = _generate(tmp_path / "a", "--customers", "700", "--seed", "5")
    b = _generate(tmp_path / "b", "--customers", "700", "--seed", "5")
    assert a == b
    for name in a:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_parquet_output_is_deterministic_too(tmp_path):
    a = _generate(tmp_path / "a", "--customers", "300", "--seed", "5", "--format", "parquet")
    b = _generate(tmp_path / "b", "--customers", "300", "--seed", "5", "--format", "parquet")
    assert a == b
    shop = ck.read_shop(tmp_path / "a")
    assert len(shop.customers) == 300


def test_another_seed_gives_another_shop():
    a = ck.generate_shop(customers=400, seed=1)
    b = ck.generate_shop(customers=400, seed=2)
    assert not a.customers["name"].equals(b.customers["name"])
    assert len(a.orders) != len(b.orders) or not a.orders["paid_amount"].equals(
        b.orders["paid_amount"])


def test_committed_course_shop_matches_a_fresh_generation(tmp_path):
    committed = json.loads((ROOT / "datasets" / MANIFEST).read_text(encoding="utf-8"))
    fresh = _generate(tmp_path / "course", "--course")
    stale = sorted(name for name in committed if committed[name] != fresh.get(name))
    assert not stale, f"datasets/ is stale, run `make data`: {stale}"


def test_load_shop_returns_fresh_copies_and_reads_the_committed_files():
    first = ck.load_shop()
    first.orders.loc[:, "paid_amount"] = -1.0
    first.tables["customers"] = first.customers.iloc[0:0]
    second = ck.load_shop()
    assert (second.orders["paid_amount"] >= 0).all()
    assert len(second.customers) == ck.ShopConfig().customers
    generated = ck.generate_shop(ck.ShopConfig.course())
    for name, frame in second.tables.items():
        pd.testing.assert_frame_equal(frame, generated.tables[name], check_exact=False, rtol=1e-12)


def test_load_shop_with_a_seed_gives_a_course_sized_shop_for_that_seed():
    shop = ck.load_shop(seed=99)
    assert shop.config.seed == 99
    assert len(shop.customers) == ck.ShopConfig().customers
    assert shop.config.start == ck.ShopConfig().start
