"""The exchange with the compliant JPY stablecoin (contracts/shared/CompliantToken.sol via
corridor.stablecoin.deploy): the pool must be a verified holder, the payer's limits still apply."""

import brownie
import pytest

from corridor.exchange.deploy import DEFAULT_CONFIG, deploy_exchange
from corridor.exchange.deploy import NO_DEADLINE as FAR
from corridor.stablecoin.deploy import JAPAN, TIER_INSTITUTIONAL, TIER_RETAIL, deploy_stablecoin

DEPOSIT = b"DEPOSIT".ljust(32, b"\0")
REF = b"INV-7".ljust(32, b"\0")


@pytest.fixture(scope="module")
def stable(admin, operator, alice, merchant, accounts):
    bank = accounts[6]
    d = deploy_stablecoin(
        None,
        admin,
        {
            "roles": {"compliance": operator},
            "issuers": [{"name": "Trust Bank A", "operator": bank, "allowance": 10**9, "reserve": 10**9}],
            "kyc": [
                (admin, TIER_INSTITUTIONAL, JAPAN),
                (alice, TIER_RETAIL, JAPAN),
                (merchant, TIER_RETAIL, JAPAN),
            ],
        },
    )
    issuer = d.issuer_ids["Trust Bank A"]
    d.registry.mint(issuer, admin, 200_000_000, DEPOSIT, {"from": bank})
    d.registry.mint(issuer, alice, 2_000_000, DEPOSIT, {"from": bank})
    return d


@pytest.fixture(scope="module")
def compliant_exchange(project_containers, stable, admin, operator, khr, busd, alice):
    jpys = stable.token
    khr.mint(admin, 10**13, {"from": admin})
    busd.mint(admin, 10**13, {"from": admin})
    ex = deploy_exchange(
        project_containers,
        admin,
        DEFAULT_CONFIG,
        {"JPY": jpys, "KHR": khr},
        busd,
        seed={"JPY": 150_000_000, "KHR": 4_000_000_000},
        allow_holder=lambda pool: jpys.setKyc(pool, TIER_INSTITUTIONAL, JAPAN, {"from": operator}),
    )
    jpys.approve(ex.router, 2**256 - 1, {"from": alice})
    return ex


def test_unverified_pool_cannot_be_seeded(project_containers, stable, admin, khr, busd):
    with brownie.reverts(revert_pattern=r"AccountNotVerified.*"):
        deploy_exchange(
            project_containers, admin, DEFAULT_CONFIG, {"JPY": stable.token}, busd, seed={"JPY": 1_000_000}
        )


def test_jpy_stablecoin_pays_a_khr_invoice(compliant_exchange, stable, khr, busd, alice, merchant):
    router = compliant_exchange.router
    path = [stable.token, busd, khr]
    quote = router.quoteExactOut(path, 1_000_000)
    tx = router.swapExactOut(path, 1_000_000, quote, merchant, FAR, REF, {"from": alice})
    assert khr.balanceOf(merchant) == 1_000_000
    assert stable.token.balanceOf(alice) == 2_000_000 - quote
    assert stable.token.spentToday(alice) == quote
    print(f"\ncompliant JPY, router exact-out JPY->USD->KHR: {tx.gas_used:,} gas")


def test_exact_in_two_hops_with_the_compliant_token(compliant_exchange, stable, khr, busd, alice, merchant):
    router = compliant_exchange.router
    router.swapExactIn([stable.token, busd, khr], 10_000, 0, merchant, FAR, REF, {"from": alice})  # warm
    tx = router.swapExactIn([stable.token, busd, khr], 100_000, 0, merchant, FAR, REF, {"from": alice})
    assert tx.return_value == tx.events["Swapped"][-1]["amountOut"]
    print(f"\ncompliant JPY, router exact-in JPY->USD->KHR: {tx.gas_used:,} gas")
    router.swapExactIn(
        [stable.token, busd], 10_000, 0, merchant, FAR, REF, {"from": alice}
    )  # merchant gets bUSD
    tx = router.swapExactIn([stable.token, busd], 100_000, 0, merchant, FAR, REF, {"from": alice})
    print(f"compliant JPY, router exact-in JPY->USD: {tx.gas_used:,} gas")
    pool = compliant_exchange.pools["JPY"]
    stable.token.approve(pool, 2**256 - 1, {"from": alice})
    tx = pool.swapExactIn(0, 100_000, 0, merchant, FAR, {"from": alice})
    print(f"compliant JPY, pool swapExactIn JPY->USD: {tx.gas_used:,} gas")


def test_payer_transfer_limit_still_applies(compliant_exchange, stable, khr, busd, alice, merchant):
    with brownie.reverts(revert_pattern=r"TransferLimitExceeded.*"):
        compliant_exchange.router.swapExactIn(
            [stable.token, busd, khr], 1_000_001, 0, merchant, FAR, REF, {"from": alice}
        )


def test_unverified_recipient_cannot_receive_yen(compliant_exchange, stable, busd, alice, stranger):
    busd.mint(alice, 10**8, {"from": alice})
    busd.approve(compliant_exchange.router, 2**256 - 1, {"from": alice})
    with brownie.reverts(revert_pattern=r"AccountNotVerified.*"):
        compliant_exchange.router.swapExactIn(
            [busd, stable.token], 10_000, 0, stranger, FAR, REF, {"from": alice}
        )


def test_frozen_pool_stops_yen_trades(compliant_exchange, stable, khr, busd, alice, merchant, operator):
    stable.token.freeze(compliant_exchange.pools["JPY"], {"from": operator})
    with brownie.reverts(revert_pattern=r"AccountFrozen.*"):
        compliant_exchange.router.swapExactIn(
            [stable.token, busd, khr], 10_000, 0, merchant, FAR, REF, {"from": alice}
        )
