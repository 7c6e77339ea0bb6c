"""Outbound payments: a yen holder pays a Cambodian merchant's KHQR (or sends a remittance to a Bakong
account) in one transaction through contracts/corridor/KhqrPayer.sol.

- `payment_from_khqr` reads a merchant's KHQR (CRC, length and currency checked by corridor/bridge/khqr.py):
  a dynamic KHQR fixes the amount, a static one needs the amount the payer enters; tag 99's expiry is enforced.
- `remittance` builds the same payment for a named Bakong account (`name@bank`, checked like the bridge does).
- `payment_nonce` / `sign_payment_authorization`: the gasless path. The payer signs an EIP-3009
  ReceiveWithAuthorization to the KhqrPayer whose nonce is bound to the payment (Python twin of
  `KhqrPayer.authorizationNonce`), so any relayer can submit it and none can redirect it.
- `deploy_khqr_payer`: deploys the contract and grants it the bridge's ESCROW_AGENT_ROLE; the suite
  (corridor/suite.py) calls it and verifies it as an (institutional) holder of JPYS and the bridge tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import keccak

from corridor.bridge import khqr
from corridor.stablecoin import signing

PAYMENT_TYPEHASH = keccak(
    text="KhqrPayment(uint16 currency,uint256 amount,uint256 maxJpyIn,bytes32 billNumber,string bakongAccountId,"
    "bytes32 salt)"
)
DEFAULT_MAX_REFUND_LOSS_BPS = 300
"""Refund floor for third-party refunds: at most 3% below the JPYS spent (the payer may accept any)."""


class PaymentError(ValueError):
    """Bad input for an outbound payment (one line, says what is wrong)."""


@dataclass(frozen=True)
class Payment:
    """`amount` (minor units) of `currency` to `account_id`, referenced by `bill_number`, for <= max_jpy_in."""

    currency: khqr.Currency
    amount: int
    max_jpy_in: int
    bill_number: bytes
    account_id: str

    def as_tuple(self) -> tuple:
        return (self.currency.value, self.amount, self.max_jpy_in, self.bill_number, self.account_id)


def bill_reference(text: str) -> bytes:
    """A bill number / reference as the contract's non-zero bytes32 (left-aligned ASCII, <= 32 bytes)."""
    raw = text.encode()
    if not raw or len(raw) > 32:
        raise PaymentError(f"reference must be 1..32 bytes, got {len(raw)}")
    return raw.ljust(32, b"\x00")


def remittance(account_id: str, currency: str | int, amount: int, max_jpy_in: int, reference: str) -> Payment:
    """A remittance to a named Bakong account."""
    try:
        account = khqr.validate_account_id(account_id)
        cur = khqr.Currency.parse(currency)
    except khqr.KHQRError as e:
        raise PaymentError(str(e)) from None
    return _payment(cur, amount, max_jpy_in, bill_reference(reference), account)


def payment_from_khqr(text: str, now_ms: int, max_jpy_in: int, amount: int | None = None) -> Payment:
    """The payment a scanned KHQR asks for. A dynamic KHQR fixes the amount (`amount`, if given, must match);
    a static one takes `amount`. Without a bill number the reference is the KHQR's MD5."""
    try:
        q = khqr.decode(text)
    except khqr.KHQRError as e:
        raise PaymentError(f"malformed KHQR: {e}") from None
    if q.expires_ms is not None and now_ms > q.expires_ms:
        raise PaymentError(f"KHQR expired at {q.expires_ms} ms (now {now_ms} ms)")
    if q.amount is None:
        if amount is None:
            raise PaymentError("static KHQR: enter the amount to pay")
    elif amount is not None and amount != q.amount:
        raise PaymentError(f"dynamic KHQR fixes the amount at {q.amount}, not {amount}")
    reference = (
        bill_reference(q.bill_number) if q.bill_number else bytes.fromhex(khqr.md5(text)).ljust(32, b"\0")
    )
    return _payment(
        q.currency,
        q.amount if q.amount is not None else int(amount or 0),
        max_jpy_in,
        reference,
        q.account_id,
    )


def _payment(cur: khqr.Currency, amount: int, max_jpy_in: int, reference: bytes, account: str) -> Payment:
    if amount <= 0:
        raise PaymentError(f"amount must be positive, got {amount}")
    if not 0 < max_jpy_in < 2**96:
        raise PaymentError(f"max JPYS must be in 1..2^96-1, got {max_jpy_in}")
    return Payment(cur, amount, max_jpy_in, reference, account)


def payment_nonce(p: Payment, salt: bytes) -> bytes:
    """`KhqrPayer.authorizationNonce(p, salt)`."""
    return keccak(
        abi_encode(
            ["bytes32", "uint16", "uint256", "uint256", "bytes32", "bytes32", "bytes32"],
            [
                PAYMENT_TYPEHASH,
                p.currency.value,
                p.amount,
                p.max_jpy_in,
                p.bill_number,
                keccak(text=p.account_id),
                salt,
            ],
        )
    )


def sign_payment_authorization(
    private_key: str | bytes,
    jpys_domain: Any,
    payer: str,
    khqr_payer: str,
    p: Payment,
    valid_after: int,
    valid_before: int,
    salt: bytes | None = None,
) -> tuple:
    """The `Authorization` tuple for the gasless entries: ReceiveWithAuthorization of `p.max_jpy_in` JPYS."""
    salt = salt or signing.new_authorization_nonce()
    sig = signing.sign_receive_authorization(
        private_key,
        jpys_domain,
        payer,
        khqr_payer,
        p.max_jpy_in,
        valid_after,
        valid_before,
        payment_nonce(p, salt),
    )
    return (payer, valid_after, valid_before, salt, sig.packed)


def deploy_khqr_payer(
    project: Any,
    admin: Any,
    jpys: Any,
    venue: Any,
    router: Any,
    bridge: Any,
    max_refund_loss_bps: int = DEFAULT_MAX_REFUND_LOSS_BPS,
) -> Any:
    """Deploys KhqrPayer and grants it the bridge's ESCROW_AGENT_ROLE (corridor.suite.deploy_suite calls it and
    makes it an allowed holder of the compliant tokens)."""
    payer = project.KhqrPayer.deploy(jpys, venue, router, bridge, max_refund_loss_bps, {"from": admin})
    bridge.grantRole(bridge.ESCROW_AGENT_ROLE(), payer, {"from": admin})
    return payer
