"""Send one outbound payment (corridor/khqr_pay.py's `Payment`) through the deployed suite's KhqrPayer:
scripts/pay_khqr.py's body, on web3 with corridor.tx.

The payment goes through the FX router (the pools, exact out: JPYS -> bUSD [-> bKHR]) into the bridge's
redemption escrow in one transaction (`KhqrPayer.payWithRouter`); the relayer then pays the Bakong account
out. The RFQ venue needs the market maker's signed quote, which this script does not ask for (the demo and
tests/outbound pay with it).

Every check runs before the first transaction: the deployment on this chain (the book names a KhqrPayer
with code), the payer's KYC on JPYS (verified, not frozen), its balance, and the router's exact-out price
against the payer's maximum. A refusal is a `UserError` (one line, exit status 2, nothing sent). If the
payer's allowance to KhqrPayer is below the maximum it approves it first (one more transaction, shown).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from web3 import Web3

from corridor import tx
from corridor.codes import by_number
from corridor.deployment import BookNotFound, Deployment, DeploymentError
from corridor.khqr_pay import Payment
from corridor.ui import UserError, banker, progress

DEADLINE_SECONDS = 300
"""How long after the latest block the router's swap may execute."""
NEEDED = ("JPYStablecoin", "bUSD", "BakongBridge", "FXRouter", "KhqrPayer")


@dataclass(frozen=True)
class Sent:
    """A payment recorded in the bridge's escrow."""

    redemption_id: int
    jpy_in: int
    tx_hash: str
    gas_used: int
    approve_tx: str | None  # the approval sent first, if the allowance was short
    jpy_decimals: int  # JPYS's minor unit (0: whole yen)

    def rows(self, p: Payment) -> list[list[Any]]:
        """The table scripts/pay_khqr.py prints: banker units, the unit in the label."""
        cur = by_number(p.currency.value)
        return [
            ["pays to", p.account_id],
            [f"amount ({cur.alpha})", banker(p.amount, cur.decimals)],
            ["reference", p.bill_number.rstrip(b"\0").decode(errors="replace") or f"0x{p.bill_number.hex()}"],
            ["JPYS spent (JPY)", banker(self.jpy_in, self.jpy_decimals)],
            ["JPYS maximum (JPY)", banker(p.max_jpy_in, self.jpy_decimals)],
            ["redemption (escrow)", self.redemption_id],
            ["transaction", self.tx_hash],
            ["gas", self.gas_used],
        ]


def open_deployment(book: str, w3: Web3) -> Deployment:
    """The suite recorded in `book` (a network name under deployments/ or a path), on `w3`'s chain."""
    try:
        deployment = Deployment.from_book(book, w3)
    except BookNotFound as exc:
        raise UserError(f"{exc}: deploy first (brownie run scripts/deploy.py)") from None
    except DeploymentError as exc:
        raise UserError(str(exc)) from None
    missing = deployment.missing(NEEDED)
    if missing:
        raise UserError(
            f"{deployment.path.name}: no {', '.join(missing)} on this chain (deploy the suite afresh)"
        )
    return deployment


def router_path(deployment: Deployment, p: Payment) -> list[str]:
    """JPYS -> bUSD, then -> the payment's bridge token unless it is USD (the hub)."""
    jpys, busd = deployment.address("JPYStablecoin"), deployment.address("bUSD")
    cur = by_number(p.currency.value)
    if cur.is_hub:
        return [jpys, busd]
    if cur.book_name not in deployment.contracts:
        raise UserError(f"no {cur.book_name} in {deployment.path.name}: {cur.alpha} is not bridged here")
    return [jpys, busd, deployment.address(cur.book_name)]


def pay(w3: Web3, deployment: Deployment, p: Payment, payer: Any) -> Sent:
    """Checks, then sends the payment from `payer` (an unlocked address or a key; corridor.tx.send)."""
    who = tx.address_of(payer)
    jpys = deployment.contract("JPYStablecoin")
    khqr_payer = deployment.contract("KhqrPayer")
    router = deployment.contract("FXRouter")
    symbol, dec = jpys.functions.symbol().call(), jpys.functions.decimals().call()

    def yen(units: int) -> str:
        return f"¥{banker(units, dec):,}"

    tier, _, frozen = jpys.functions.kycOf(who).call()
    if tier == 0:
        raise UserError(f"the payer {who} has no KYC on {symbol}: a compliance officer must verify it first")
    if frozen:
        raise UserError(f"the payer {who} is frozen on {symbol}")
    balance = jpys.functions.balanceOf(who).call()
    if balance < p.max_jpy_in:
        raise UserError(
            f"the payer holds {yen(balance)} {symbol}, less than the maximum {yen(p.max_jpy_in)} KhqrPayer pulls"
        )
    path = router_path(deployment, p)
    try:
        cost = router.functions.quoteExactOut(path, p.amount).call()
    except Exception as exc:  # noqa: BLE001 - a router that cannot quote (paused pool, no depth) is a refusal
        reason = tx.decode_revert(getattr(exc, "data", None), router.abi)
        raise UserError(f"the router cannot price {p.amount} {p.currency.name} now: {reason}") from None
    if cost > p.max_jpy_in:
        raise UserError(
            f"the router asks {yen(cost)} for {p.amount} {p.currency.name} (minor units), more than the "
            f"maximum {yen(p.max_jpy_in)}"
        )
    approve_tx = None
    if jpys.functions.allowance(who, khqr_payer.address).call() < p.max_jpy_in:
        progress(f"approving KhqrPayer {khqr_payer.address} for {yen(p.max_jpy_in)} {symbol}")
        approve_tx = tx.hash_of(
            tx.send(w3, jpys.functions.approve(khqr_payer.address, p.max_jpy_in), payer, label="approve")
        )
    deadline = w3.eth.get_block("latest")["timestamp"] + DEADLINE_SECONDS
    progress(f"paying {p.account_id} through the router (quoted {yen(cost)})")
    try:
        receipt = tx.send(w3, khqr_payer.functions.payWithRouter(p.as_tuple(), path, deadline), payer)
    except tx.TransactionReverted as exc:
        if exc.tx_hash is None:  # refused in the gas estimate: nothing was sent
            raise UserError(str(exc)) from None
        raise
    (paid,) = khqr_payer.events.KhqrPaid().process_receipt(receipt)
    return Sent(
        redemption_id=int(paid.args.redemptionId),
        jpy_in=int(paid.args.jpyIn),
        tx_hash=tx.hash_of(receipt),
        gas_used=int(receipt["gasUsed"]),
        approve_tx=approve_tx,
        jpy_decimals=dec,
    )
