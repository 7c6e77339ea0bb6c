"""Adding a currency is one registry row plus configuration: Thai baht (THB, 764, 2 decimals) is bridged
by deploying config/development.yaml with config/currencies/THB.yaml merged in, through the same
`load_settings` and `deploy_suite` as scripts/deploy.py, and then carries money end to end:

    deposit   Bakong KHQR payment in THB -> validators attest -> the relayer mints bTHB
    swap      bTHB -> bUSD through the FXPool THB/USD (its FXFeed from the settings)
    redeem    bTHB back to a Bakong account -> the relayer pays THB out and finalizes

No code outside corridor/codes.py names THB; this test only reads the registry row."""

from decimal import Decimal

import pytest
import yaml
from brownie import web3

from corridor.bridge.offchain import bakong_side
from corridor.codes import currency
from corridor.deploy.settings import CONFIG_DIR, load_settings
from corridor.exchange.deploy import NO_DEADLINE, balanced_hub_amount, seed_pool
from corridor.suite import deploy_suite, dev_validator_keys, parties

THB, USD = currency("THB"), currency("USD")
CUSTOMER_BANK = "somchai@kbank"
LP_BANK = "liquidity@scb"
POLL_SECONDS = 5


def _merge(base, extra):
    """`extra` over `base`, mappings merged at every level (YAML settings fragments)."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = (
            _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        )
    return out


@pytest.fixture(scope="module")
def thb_settings(tmp_path_factory, monkeypatch_module):
    base = yaml.safe_load((CONFIG_DIR / "development.yaml").read_text())
    extra = yaml.safe_load((CONFIG_DIR / "currencies" / "THB.yaml").read_text())
    path = tmp_path_factory.mktemp("thb") / "development.yaml"
    path.write_text(yaml.safe_dump(_merge(base, extra)))
    monkeypatch_module.setenv("CORRIDOR_SETTINGS", str(path))
    return load_settings("development", development=True)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.fixture(scope="module")
def corridor(thb_settings, accounts):
    from brownie import project

    loaded = project.get_loaded_projects()[0]
    suite = deploy_suite(loaded, accounts[0], thb_settings, accounts)
    who = parties(thb_settings, accounts)
    keys = dev_validator_keys(int(thb_settings["validators"]["dev_keys"]))
    side = bakong_side(
        web3, suite.bridge.bridge.address, accounts[0], keys, thb_settings["bridge"]["omnibus_account"]
    )
    for account_id in (CUSTOMER_BANK, LP_BANK):
        side.ledger.open_account(account_id)
    side.ledger.cash_in(CUSTOMER_BANK, "THB", THB.to_minor(Decimal("20000")))
    side.ledger.cash_in(LP_BANK, "THB", THB.to_minor(Decimal("600000")))
    side.ledger.cash_in(LP_BANK, "USD", USD.to_minor(Decimal("18000")))
    return suite, who, side


def _relay(side):
    from brownie import chain

    chain.sleep(POLL_SECONDS)  # one polling interval: reserve attestations get their own second
    chain.mine()
    report = side.relayer.run_once()
    assert report.errors == []
    return report


def _deposit(side, bank_account, alpha, amount, recipient):
    intent = side.relayer.request_deposit(alpha, amount, str(recipient))
    paid = side.ledger.pay_khqr(bank_account, intent.khqr)
    assert (paid.to_account, paid.currency.name, paid.amount) == (side.omnibus, alpha, amount)
    return intent


def test_the_settings_alone_deploy_bthb_its_feed_and_its_pool(corridor):
    suite, _, _ = corridor
    bthb = suite.bridge.token("THB")
    assert (bthb.name(), bthb.symbol(), bthb.decimals()) == (THB.token_name, "bTHB", 2)
    assert suite.bridge.bridge.tokenOf(THB.number) == bthb.address
    assert suite.contracts[THB.book_name].address == bthb.address
    feed, pool = suite.contracts[THB.feed], suite.contracts[THB.pool]
    assert feed.description() == "THB / USD" and feed.latestRoundData()[1] == 2_850_000
    assert (pool.coins(0), pool.coins(1)) == (bthb.address, suite.bridge.token("USD").address)
    # the KHR corridor is as before
    assert suite.contracts["bKHR"].address == suite.bridge.token("KHR").address
    assert "FXPool KHR/USD" in suite.contracts


def test_deposit_swap_redeem_through_thb(corridor):
    suite, who, side = corridor
    bridge, bthb, busd = suite.bridge.bridge, suite.bridge.token("THB"), suite.bridge.token("USD")
    ledger, lp, customer = side.ledger, who["liquidity"], who["customer"]

    # liquidity: ฿500,000 and the dollars worth it, both bridged in from Bakong, seed the THB/USD pool
    seed = THB.to_minor(Decimal("500000"))
    feed = suite.contracts[THB.feed]
    hub_amount = balanced_hub_amount(seed, feed.latestRoundData()[1], feed.decimals(), 2, 2)
    assert hub_amount == USD.to_minor(Decimal("14250"))
    _deposit(side, LP_BANK, "THB", seed, lp)
    _deposit(side, LP_BANK, "USD", hub_amount, lp)
    assert len(_relay(side).minted) == 2
    assert (bthb.balanceOf(lp), busd.balanceOf(lp)) == (seed, hub_amount)
    seed_pool(suite.contracts[THB.pool], bthb, busd, lp, seed, hub_amount)

    # deposit: the customer pays a ฿10,000 KHQR from the bank; validators check it on Bakong; bTHB minted
    deposit = THB.to_minor(Decimal("10000"))
    intent = _deposit(side, CUSTOMER_BANK, "THB", deposit, customer)
    assert intent.khqr[intent.khqr.index("5303") : intent.khqr.index("5303") + 7] == "5303764"
    assert _relay(side).minted == [intent.md5]
    assert bthb.balanceOf(customer) == deposit
    assert ledger.balance(CUSTOMER_BANK, "THB") == THB.to_minor(Decimal("10000"))

    # swap: ฿4,000 of bTHB for bUSD at about the feed's 0.0285 USD per baht
    sold = THB.to_minor(Decimal("4000"))
    path = [bthb, busd]
    quoted = suite.exchange.router.quoteExactIn(path, sold)
    assert USD.to_minor(Decimal("113")) < quoted <= USD.to_minor(Decimal("114"))
    bthb.approve(suite.exchange.router, sold, {"from": customer})
    tx = suite.exchange.router.swapExactIn(
        path, sold, quoted, customer, NO_DEADLINE, b"THB-SWAP-1".ljust(32, b"\0"), {"from": customer}
    )
    assert tx.return_value == quoted
    assert busd.balanceOf(customer) == quoted and bthb.balanceOf(customer) == deposit - sold

    # redeem: the ฿6,000 left go back to the customer's bank; the relayer pays out and finalizes
    leftover = bthb.balanceOf(customer)
    bthb.approve(bridge, leftover, {"from": customer})
    supply_before = bthb.totalSupply()
    bridge.redeem(THB.number, leftover, CUSTOMER_BANK, {"from": customer})
    report = _relay(side)
    assert len(report.paid_out) == 1 and len(report.finalized) == 1
    assert bthb.balanceOf(customer) == 0 and bthb.totalSupply() == supply_before - leftover
    assert ledger.balance(CUSTOMER_BANK, "THB") == THB.to_minor(Decimal("16000"))
    assert THB.format(ledger.balance(CUSTOMER_BANK, "THB")) == "16,000.00 THB"

    # the omnibus holds exactly what is bridged, in every currency, THB included
    lines = {line.currency.name: line for line in side.relayer.reconciliation()}
    assert lines["THB"].supply == lines["THB"].omnibus == seed + deposit - leftover
    assert all(line.drift == 0 for line in lines.values())
