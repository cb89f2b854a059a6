"""Bad settings raise one clear Chinese error naming the field, the value and what is allowed,
and a failed generation writes nothing."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pytest

import crmkit as ck
from crmkit.config import ChannelSpec, ShopConfig
from crmkit.errors import ConfigError

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("overrides, must_mention", [
    ({"customers": 0}, ["customers", "0"]),
    ({"customers": -5}, ["customers", "-5"]),
    ({"customers": 10**9}, ["customers", "1,000,000,000"]),
    ({"customers": 2.5}, ["customers", "2.5", "整数"]),
    ({"seed": "abc"}, ["seed", "abc", "整数"]),
    ({"seed": 1.5}, ["seed", "1.5"]),
    ({"seed": -1}, ["seed", "-1"]),
    ({"start": "2025-01-01", "end": "2024-01-01"}, ["end", "2024-01-01", "start"]),
    ({"start": "2024-01-01", "end": "2024-01-01"}, ["30", "天"]),
    ({"start": "not a date"}, ["start", "not a date"]),
    ({"start": "1990-01-01", "end": "1990-12-31"}, ["2015-01-01"]),
    ({"category_mix": {"女装": 0.5, "男装": 0.3}}, ["category_mix", "0.8", "1"]),
    ({"category_mix": {"女装": 1.2, "男装": -0.2}}, ["category_mix", "男装", "-0.2"]),
    ({"n_products": 2}, ["n_products", "2"]),
    ({"spend_scale": float("nan")}, ["spend_scale", "nan"]),
    ({"custmers": 100}, ["custmers", "customers"]),
])
def test_invalid_settings_raise_a_chinese_error_naming_the_field(overrides, must_mention):
    with pytest.raises(ConfigError) as err:
        ck.generate_shop(**overrides)
    message = str(err.value)
    assert CHINESE.search(message)
    for word in must_mention:
        assert word in message, (word, message)


def test_unknown_channel_and_bad_shares_are_named():
    channels = dict(ShopConfig().channels)
    channels["抖音"] = channels.pop("直播/短视频")
    with pytest.raises(ConfigError, match="抖音"):
        ShopConfig(channels=channels)
    channels = dict(ShopConfig().channels)
    spec = channels["搜索"]
    channels["搜索"] = ChannelSpec(spec.group, 0.5, spec.conversion, spec.sub_channels)
    with pytest.raises(ConfigError, match="share"):
        ShopConfig(channels=channels)
    with pytest.raises(ConfigError, match="转化率"):
        channels = dict(ShopConfig().channels)
        channels["搜索"] = ChannelSpec(spec.group, spec.share, 1.5, spec.sub_channels)
        ShopConfig(channels=channels)


def test_config_round_trips_through_a_dict():
    cfg = ShopConfig(customers=123, seed=9, start=dt.date(2023, 3, 1), end=dt.date(2023, 12, 31))
    assert ShopConfig.from_dict(cfg.to_dict()) == cfg


def test_cli_with_a_bad_value_prints_a_chinese_error_and_writes_nothing(tmp_path):
    out = tmp_path / "shop"
    result = subprocess.run([sys.executable, "-m", "crmkit.cli", "generate", "--customers", "0",
                             "--out", str(out)], capture_output=True, text=True)
    assert result.returncode == 2
    assert "customers" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_saving_leaves_no_half_written_folder(tmp_path, monkeypatch, small_shop):
    import crmkit.shop as shop_module

    calls = {"n": 0}
    real = shop_module.write_table

    def failing(frame, path, fmt, date_columns=()):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError("disk full")
        real(frame, path, fmt, date_columns)

    monkeypatch.setattr(shop_module, "write_table", failing)
    out = tmp_path / "shop"
    with pytest.raises(OSError):
        small_shop.save(out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_overwriting_keeps_the_previous_files(tmp_path, monkeypatch, small_shop):
    import crmkit.shop as shop_module

    out = tmp_path / "shop"
    small_shop.save(out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setattr(shop_module, "write_table",
                        lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        small_shop.save(out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop"]


def test_shop_names_a_missing_table_and_suggests_the_nearest():
    shop = ck.generate_shop(customers=50, seed=3)
    with pytest.raises(AttributeError, match="orders"):
        shop.order
