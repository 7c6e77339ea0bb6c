"""A Thai PromptPay payer pays a KHQR through the Bakong hub: origin recorded, per-origin limits (from the
configuration: `linked_schemes:`), bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from corridor.artifacts import ROOT
from corridor.bridge.ledger import Ledger
from corridor.bridge.linked_scheme import Hub, LinkedSchemeError, scheme_from_config
from corridor.deploy.settings import load_settings
from corridor.invoices import create_invoice
from corridor.ui import UserError

PROMPTPAY = {
    "scheme": "PROMPTPAY",
    "country": "TH",
    "settlement_account": "promptpay@hub",
    "currency": "THB",
    "rates": {"KHR": "0.0087", "USD": "35.6"},  # satang per riel, satang per cent
    "limits": {"KHR": 2_000_000, "USD": 50_000},
}


def _hub():
    ledger = Ledger(clock=lambda: 1_700_000_000_000)
    ledger.open_account("corridor@abab", "omnibus")
    hub = Hub(ledger)
    hub.link(scheme_from_config(PROMPTPAY))
    ledger.cash_in("promptpay@hub", "KHR", 10_000_000)
    return hub, ledger


def _khqr(price, currency="KHR"):
    return create_invoice(
        "INV-TH-1", "0x" + "11" * 20, 10_000, currency, price, 1_700_000_000, "corridor@abab"
    ).khqr


def test_thai_payer_pays_through_the_hub():
    hub, ledger = _hub()
    p = hub.pay_khqr("TH:PROMPTPAY", "+66812345678", _khqr(275_000))
    assert p.origin == "TH:PROMPTPAY" and p.charged == 2_393  # ceil(275000 * 0.0087) satang
    assert p.transfer.to_account == "corridor@abab" and p.transfer.amount == 275_000
    assert p.transfer.description == "INV-TH-1"
    assert ledger.balance("corridor@abab", "KHR") == 275_000 and hub.payments == [p]


@pytest.mark.parametrize(
    "origin, khqr, message",
    [
        ("MY:DUITNOW", lambda: _khqr(1_000), "no linked scheme"),
        ("TH:PROMPTPAY", lambda: _khqr(2_000_001), "above the link's limit 2000000"),
    ],
)
def test_refusals_pay_nothing(origin, khqr, message):
    hub, ledger = _hub()
    with pytest.raises(LinkedSchemeError, match=message):
        hub.pay_khqr(origin, "+66812345678", khqr())
    assert ledger.balance("corridor@abab", "KHR") == 0 and hub.payments == []


def test_bad_configuration_is_one_error():
    with pytest.raises(LinkedSchemeError, match="linked scheme configuration"):
        scheme_from_config({"scheme": "PROMPTPAY"})


def test_the_development_settings_configure_the_link_and_its_per_origin_limits():
    settings = load_settings("development", development=True)
    (scheme,) = [scheme_from_config(s) for s in settings["linked_schemes"]]
    assert scheme.origin == "TH:PROMPTPAY" and scheme.settlement_account == "promptpay@hub"
    assert scheme.limits == {"KHR": 2_000_000, "USD": 50_000}
    assert scheme.rates == {"KHR": Decimal("0.0087"), "USD": Decimal("35.6")}


@pytest.mark.parametrize(
    "section, message",
    [
        (
            {"limits": {"KHR": 0, "USD": 50_000}},
            "linked scheme TH:PROMPTPAY: limits and rates must be positive (KHR=0)",
        ),
        ({"rates": {"KHR": "-1", "USD": "35.6"}}, "limits and rates must be positive (KHR=-1)"),
        ({"limits": "lots"}, "linked scheme configuration"),
    ],
)
def test_settings_with_a_bad_link_are_one_line(tmp_path, monkeypatch, section, message):
    data = yaml.safe_load((ROOT / "config" / "development.yaml").read_text())
    data["linked_schemes"][0].update(section)
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump(data))
    monkeypatch.setenv("CORRIDOR_SETTINGS", str(path))
    with pytest.raises(UserError) as exc:
        load_settings("development", development=True)
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_settings_naming_an_origin_twice_are_refused(tmp_path, monkeypatch):
    data = yaml.safe_load((ROOT / "config" / "development.yaml").read_text())
    data["linked_schemes"].append(dict(data["linked_schemes"][0]))
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump(data))
    monkeypatch.setenv("CORRIDOR_SETTINGS", str(path))
    with pytest.raises(UserError, match="names an origin twice"):
        load_settings("development", development=True)
