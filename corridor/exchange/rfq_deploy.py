"""Deploys and wires the RFQ venue (brownie containers and accounts, a plain config dict)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RfqDeployment:
    venue: Any  # brownie ProjectContract of RfqVenue


def deploy_rfq(RfqVenue: Any, admin: Any, config: dict[str, Any]) -> RfqDeployment:
    """Deploys RfqVenue from `admin` and wires its roles.

    config keys:
      treasury (address, required)      receives the fees
      fee_bps (int, default 0)          fee in bps of the gross output, at most 100
      admin_delay (int, default 86400)  AccessControlDefaultAdminRules delay for admin transfers
      maker_manager (address, default admin)  gets MAKER_MANAGER_ROLE
      pauser (address, default admin)         gets PAUSER_ROLE
      makers (list of addresses, default [])  registered at once (needs maker_manager == admin)
    """
    treasury = config["treasury"]
    venue = RfqVenue.deploy(
        admin,
        int(config.get("admin_delay", 86_400)),
        treasury,
        int(config.get("fee_bps", 0)),
        {"from": admin},
    )
    manager = config.get("maker_manager", admin)
    venue.grantRole(venue.MAKER_MANAGER_ROLE(), manager, {"from": admin})
    venue.grantRole(venue.PAUSER_ROLE(), config.get("pauser", admin), {"from": admin})
    for maker in config.get("makers", []):
        venue.registerMaker(maker, {"from": manager})
    return RfqDeployment(venue=venue)


def measure_gas(RfqVenue: Any, MockERC20: Any, accounts: Any, fee_bps: int = 5) -> dict[str, int]:
    """gasUsed of the RFQ gas goals on fresh plain ERC-20s (MockERC20: JPY 0, USD 6, KHR 2 decimals).

    State of every measured fill: taker, maker and recipient already hold both tokens, max allowances
    (OZ ERC20 skips the allowance write), the maker's nonce word already non-zero (warm in the sense of
    the goal: a 5,000-gas write, not 20,000) and the maker's fee slot for tokenOut already non-zero.
    The "first fill" line shows the cold case (new nonce word and new fee slot) for comparison.
    """
    from brownie import ZERO_ADDRESS, chain

    from corridor.exchange import rfq

    admin, taker, recipient, treasury = accounts[0], accounts[1], accounts[4], accounts[6]
    maker = accounts.add()
    admin.transfer(maker, 10**18)
    venue = deploy_rfq(
        RfqVenue, admin, {"treasury": treasury, "fee_bps": fee_bps, "admin_delay": 0, "makers": [maker]}
    ).venue
    jpy = MockERC20.deploy("Yen", "JPY", 0, {"from": admin})
    usd = MockERC20.deploy("US Dollar", "USD", 6, {"from": admin})
    khr = MockERC20.deploy("Riel", "KHR", 2, {"from": admin})
    for token in (jpy, khr):
        for holder in (maker, taker, recipient):
            token.mint(holder, 10**15, {"from": admin})
            token.approve(venue, 2**256 - 1, {"from": holder})
    domain = rfq.venue_domain(chain.id, venue.address)
    ref = rfq.reference("INV-GAS")

    def quote(nonce: int, cross: bool = False) -> rfq.SignedQuote:
        q = rfq.Quote(
            maker.address,
            ZERO_ADDRESS,
            jpy.address,
            khr.address,
            100_000,
            270_000_000,
            nonce,
            chain.time() + 3_600,
        )
        if cross:
            q = rfq.CrossQuote(**q.to_dict(), hub=usd.address, hub_amount=670_000_000)
        return rfq.sign_quote(maker.private_key, domain, q)

    def fill_in(signed: rfq.SignedQuote) -> int:
        fn = getattr(venue, signed.exact_in_function)
        return fn(*signed.fill_exact_in_args(100_000, 0, recipient.address, ref), {"from": taker}).gas_used

    def fill_out(signed: rfq.SignedQuote) -> int:
        fn = getattr(venue, signed.exact_out_function)
        return fn(
            *signed.fill_exact_out_args(1_000_000, 2**256 - 1, recipient.address, ref), {"from": taker}
        ).gas_used

    gas = {"rfq: first fill of a maker (new nonce word, new fee slot)": fill_in(quote(0))}
    gas["rfq: fill exact-in, nonce word warm (goal <= 90,000)"] = fill_in(quote(1))
    gas["rfq: fill exact-out, nonce word warm"] = fill_out(quote(2))
    gas["rfq: cross quote JPY->KHR exact-in, nonce word warm (goal <= 100,000)"] = fill_in(
        quote(3, cross=True)
    )
    gas["rfq: cross quote JPY->KHR exact-out, nonce word warm"] = fill_out(quote(4, cross=True))
    gas["rfq: cancel one nonce (warm word)"] = venue.cancelNonce(5, {"from": maker}).gas_used
    gas["rfq: collect fees"] = venue.collectFees(maker, khr, {"from": treasury}).gas_used
    return gas
