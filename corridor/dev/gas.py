"""Gas measurements of `make gas` (scripts/gas.py) that need contracts deployed in a fixed state:
the RFQ venue's goals and the OpenZeppelin reference token. Development tooling (brownie containers
and accounts); the figures are documented in docs/rfq.md and the README's gas table."""

from __future__ import annotations

from typing import Any

from corridor import eip712
from corridor.bench import families
from corridor.bench.references import DEADLINE
from corridor.exchange import rfq
from corridor.exchange.rfq_deploy import deploy_rfq
from corridor.stablecoin.signing import PERMIT_FIELDS


def measure_oz(token: Any, name: str, holder: Any, bob: Any, spender: Any, relayer: Any) -> dict[str, int]:
    """transfer (existing/new holder), transferFrom, and permit + transferFrom on an OZ token."""
    token.transfer(bob, 10**18, {"from": holder})
    out = {
        "transfer_existing": token.transfer(bob, 10**18, {"from": holder}).gas_used,
        "transfer_new": token.transfer(
            families.keyed_account(f"new {token.address}").address, 10**18, {"from": holder}
        ).gas_used,
    }
    token.approve(spender, 10**24, {"from": holder})
    out["transfer_from"] = token.transferFrom(holder, bob, 10**18, {"from": spender}).gas_used
    signer = families.keyed_account(f"permit signer {token.address}")
    token.transfer(signer.address, 10**20, {"from": holder})
    domain = eip712.Domain(name, "1", token.eip712Domain()[3], token.address)
    msg = {
        "owner": signer.address,
        "spender": relayer.address,
        "value": 10**18,
        "nonce": 0,
        "deadline": DEADLINE,
    }
    sig = eip712.sign(signer.private_key, domain, "Permit", PERMIT_FIELDS, msg)
    permit = token.permit(signer.address, relayer, 10**18, DEADLINE, *sig.vrs, {"from": relayer}).gas_used
    pull = token.transferFrom(signer.address, bob, 10**18, {"from": relayer}).gas_used
    out["permit_plus_transfer_from"] = permit + pull
    return out


def measure_rfq(RfqVenue: Any, MockERC20: Any, accounts: Any, fee_bps: int = 5) -> dict[str, int]:
    """gasUsed of the RFQ gas goals on fresh plain ERC-20s (MockERC20: JPY 0, USD 6, KHR 2 decimals).

    State of every measured fill: taker, maker and recipient already hold both tokens, max allowances
    (OZ ERC20 skips the allowance write), the maker's nonce word already non-zero (warm in the sense of
    the goal: a 5,000-gas write, not 20,000) and the maker's fee slot for tokenOut already non-zero.
    The "first fill" line shows the cold case (new nonce word and new fee slot) for comparison.
    """
    from brownie import ZERO_ADDRESS, chain

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
