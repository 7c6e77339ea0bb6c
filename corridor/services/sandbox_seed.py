"""The sandbox's market maker gets yen to quote with (development keys only; `corridor sandbox` runs it after
the deploy): gas money from the admin, JPYS minted to it by the last configured issuer against a fresh
reserve attestation, and the RFQ venue approved to pull its JPYS. Each step looks at the chain first, so a
resumed sandbox sends nothing. Without it the quote server refuses every invoice (no JPYS inventory).
"""

from __future__ import annotations

from collections.abc import Callable

from web3 import Web3

from corridor import artifacts, tx
from corridor.services.chain import Book, dev_party
from corridor.settlement import bytes32_text

MAKER_YEN = 2_000_000  # whole yen of inventory (the maker quotes at most $400 a quote in the sandbox)
MAKER_GAS_WEI = 10**19
MAX_ISSUERS = 16


def seed_market_maker(w3: Web3, book: Book, log: Callable[[str], None]) -> int:
    """Funds the market maker as the module says; the number of transactions sent."""
    admin, maker = dev_party(book, "admin"), dev_party(book, "market_maker")
    jpy = artifacts.at(w3, "JPYStablecoin", book.address("JPYStablecoin"))
    registry = artifacts.at(w3, "IssuerRegistry", book.address("IssuerRegistry"))
    venue = book.address("RfqVenue")
    sent = 0
    if w3.eth.get_balance(maker.address) < MAKER_GAS_WEI // 10:
        signed = admin.sign_transaction(
            {
                "to": maker.address,
                "value": MAKER_GAS_WEI,
                "gas": 21_000,
                "gasPrice": w3.eth.gas_price,
                "nonce": w3.eth.get_transaction_count(admin.address, "pending"),
                "chainId": w3.eth.chain_id,
            }
        )
        tx.wait_for_receipt(
            w3, w3.eth.send_raw_transaction(signed.raw_transaction), tx.RECEIPT_TIMEOUT_SECONDS
        )
        sent += 1
    if jpy.functions.balanceOf(maker.address).call() == 0:
        spec = book.config["stablecoin"]["issuers"][-1]
        issuer_id = next(
            i for i in range(1, MAX_ISSUERS) if registry.functions.issuer(i).call()[0] == spec["name"]
        )
        units = 10 ** int(jpy.functions.decimals().call())
        now = int(w3.eth.get_block("latest")["timestamp"])
        tx.send(w3, registry.functions.attestReserve(issuer_id, int(spec["reserve"]) * units, now), admin)
        operator = dev_party(book, spec["operator"])
        tx.send(
            w3,
            registry.functions.mint(
                issuer_id, maker.address, MAKER_YEN * units, bytes32_text("SANDBOX-MAKER")
            ),
            operator,
        )
        sent += 2
    if jpy.functions.allowance(maker.address, venue).call() == 0:
        tx.send(w3, jpy.functions.approve(venue, 2**256 - 1), maker)
        sent += 1
    log(f"market maker {maker.address}: {MAKER_YEN:,} JPYS to quote with ({sent} transaction(s) sent)")
    return sent
