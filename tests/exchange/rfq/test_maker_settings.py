"""The market maker's policy and limits from the settings' `market_maker:` section (config/<network>.yaml),
and the one-line refusals of a bad section."""

from __future__ import annotations

from decimal import Decimal

import pytest

from corridor.deploy.settings import load_settings
from corridor.exchange.market_maker import maker_settings
from corridor.ui import UserError

SECTION = {"spread_bps": 3, "skew_bps": 2, "ttl": 120, "max_ttl": 300, "max_quote_usd": 400}


def test_section_gives_the_policy_and_limits():
    policy, limits = maker_settings(SECTION)
    assert (policy.spread_bps, policy.skew_bps, policy.ttl) == (3, 2, 120)
    assert (Decimal(limits.max_quote_usd), limits.max_ttl) == (400, 300)


def test_a_payment_ttl_overrides_the_section():
    policy, _ = maker_settings(SECTION, ttl=30)
    assert policy.ttl == 30


def test_development_settings_carry_the_section():
    policy, limits = maker_settings(load_settings("development", development=True)["market_maker"])
    assert (policy.spread_bps, policy.skew_bps, policy.ttl, Decimal(limits.max_quote_usd)) == (3, 2, 120, 400)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"spread": 3}, "unknown setting(s) spread"),
        ({"ttl": None}, "missing setting(s) ttl"),
        ({"ttl": 301}, "ttl 301 is above max_ttl 300"),
        ({"skew_bps": 4}, "skew_bps <= spread_bps"),
    ],
)
def test_bad_section_is_refused(change, message):
    section = {k: v for k, v in {**SECTION, **change}.items() if v is not None}
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        maker_settings(section)


def test_load_settings_refuses_a_bad_section_in_one_line(tmp_path, monkeypatch):
    source = load_settings("development", development=True)["_path"]
    from corridor.artifacts import ROOT

    body = (ROOT / source).read_text().replace("max_quote_usd: 400", "max_quote_usd: 400\n  depth: 9")
    path = tmp_path / "settings.yaml"
    path.write_text(body)
    monkeypatch.setenv("CORRIDOR_SETTINGS", str(path))
    with pytest.raises(UserError, match=r"settings.yaml: market_maker: unknown setting\(s\) depth"):
        load_settings("development", development=True)
