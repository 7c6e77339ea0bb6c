"""RFQ quotes: the EIP-712 types of contracts/exchange/RfqVenue.sol, signing, nonces and fill arithmetic.

Everything a market maker needs to produce a quote the venue accepts, and the reference model of the
venue's fill math (the tests compare it with the contract). Transactions go through corridor.tx. The format is specified in docs/rfq.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from corridor import eip712
from corridor.tx import address

DOMAIN_NAME = "Corridor RFQ"
DOMAIN_VERSION = "1"
BPS = 10_000
MAX_FEE_BPS = 100
ZERO_ADDRESS = "0x" + "00" * 20

QUOTE_TYPE = "Quote"
QUOTE_FIELDS: list[tuple[str, str]] = [
    ("maker", "address"),
    ("taker", "address"),
    ("tokenIn", "address"),
    ("tokenOut", "address"),
    ("amountIn", "uint256"),
    ("amountOut", "uint256"),
    ("nonce", "uint256"),
    ("expiry", "uint256"),
]
CROSS_QUOTE_TYPE = "CrossQuote"
CROSS_QUOTE_FIELDS: list[tuple[str, str]] = QUOTE_FIELDS + [("hub", "address"), ("hubAmount", "uint256")]


def venue_domain(chain_id: int, venue: str) -> eip712.Domain:
    """The venue's EIP-712 domain: name "Corridor RFQ", version "1", this chain, this venue."""
    return eip712.Domain(DOMAIN_NAME, DOMAIN_VERSION, chain_id, address(venue))


@dataclass(frozen=True)
class Quote:
    """A firm quote: the maker pays up to `amount_out` of token_out for up to `amount_in` of token_in.

    `taker` is the only account allowed to fill (ZERO_ADDRESS: anyone); `expiry` is a unix timestamp
    (inclusive); `nonce` = word << 8 | bit in the maker's unordered nonce bitmap.
    """

    maker: str
    taker: str
    token_in: str
    token_out: str
    amount_in: int
    amount_out: int
    nonce: int
    expiry: int

    primary_type = QUOTE_TYPE
    fields = QUOTE_FIELDS

    def message(self) -> dict[str, Any]:
        """The EIP-712 message (field names as in the Solidity struct)."""
        return {
            "maker": address(self.maker),
            "taker": address(self.taker),
            "tokenIn": address(self.token_in),
            "tokenOut": address(self.token_out),
            "amountIn": int(self.amount_in),
            "amountOut": int(self.amount_out),
            "nonce": int(self.nonce),
            "expiry": int(self.expiry),
        }

    def as_tuple(self) -> tuple:
        """The struct as a contract call argument (web3.py and brownie both take tuples)."""
        return tuple(self.message()[name] for name, _ in self.fields)

    @property
    def head(self) -> Quote:
        """The eight Quote fields (a CrossQuote's settlement terms)."""
        return Quote(
            self.maker,
            self.taker,
            self.token_in,
            self.token_out,
            self.amount_in,
            self.amount_out,
            self.nonce,
            self.expiry,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CrossQuote(Quote):
    """A quote across two non-hub currencies (token_in -> hub -> token_out) in one signature: the maker
    carries the hub leg; `hub_amount` is the hub amount for the full amount_in (recorded, never moved)."""

    hub: str = ZERO_ADDRESS
    hub_amount: int = 0

    primary_type = CROSS_QUOTE_TYPE
    fields = CROSS_QUOTE_FIELDS

    def message(self) -> dict[str, Any]:
        msg = super().message()
        msg["hub"] = address(self.hub)
        msg["hubAmount"] = int(self.hub_amount)
        return msg


@dataclass(frozen=True)
class SignedQuote:
    """A quote with its maker's signature (65 bytes r ‖ s ‖ v) and the domain it was signed for."""

    quote: Quote
    signature: bytes
    domain: eip712.Domain = field(repr=False)

    @property
    def is_cross(self) -> bool:
        return isinstance(self.quote, CrossQuote)

    @property
    def digest(self) -> bytes:
        return quote_digest(self.domain, self.quote)

    def fill_exact_in_args(
        self, amount_in: int, min_amount_out: int, recipient: str, reference: bytes
    ) -> tuple:
        """Arguments of fillExactIn / fillCrossExactIn."""
        return (
            self.quote.as_tuple(),
            self.signature,
            int(amount_in),
            int(min_amount_out),
            address(recipient),
            reference,
        )

    def fill_exact_out_args(
        self, amount_out: int, max_amount_in: int, recipient: str, reference: bytes
    ) -> tuple:
        """Arguments of fillExactOut / fillCrossExactOut."""
        return (
            self.quote.as_tuple(),
            self.signature,
            int(amount_out),
            int(max_amount_in),
            address(recipient),
            reference,
        )

    @property
    def exact_in_function(self) -> str:
        return "fillCrossExactIn" if self.is_cross else "fillExactIn"

    @property
    def exact_out_function(self) -> str:
        return "fillCrossExactOut" if self.is_cross else "fillExactOut"


def quote_digest(domain: eip712.Domain, quote: Quote) -> bytes:
    """The 32-byte EIP-712 digest of `quote` (what the maker signs; the venue's `quoteHash`)."""
    return eip712.digest(domain, quote.primary_type, quote.fields, quote.message())


def sign_quote(private_key: str | bytes, domain: eip712.Domain, quote: Quote) -> SignedQuote:
    """Signs `quote` for `domain`. For an ERC-1271 maker, `quote.maker` is the wallet and the key is one
    the wallet accepts (the venue passes the digest and these 65 bytes to `isValidSignature`)."""
    sig = eip712.sign(private_key, domain, quote.primary_type, quote.fields, quote.message())
    return SignedQuote(quote, sig.packed, domain)


def reference(text: str | bytes) -> bytes:
    """A bytes32 payment reference from a short text (e.g. an invoice number), right-padded with zeros."""
    raw = text.encode() if isinstance(text, str) else bytes(text)
    if not raw or len(raw) > 32:
        raise ValueError("a payment reference is 1 to 32 bytes")
    return raw.ljust(32, b"\x00")


# ------------------------------------------------------------------ nonces


def nonce_position(nonce: int) -> tuple[int, int]:
    """(word position, bit position) of `nonce` in the maker's bitmap."""
    return nonce >> 8, nonce & 0xFF


def make_nonce(word: int, bit: int) -> int:
    if not 0 <= bit < 256 or word < 0:
        raise ValueError("bit must be in [0, 256) and word >= 0")
    return (word << 8) | bit


# ------------------------------------------------------------------ fill arithmetic (the venue's, exactly)


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def exact_in(quote_in: int, quote_out: int, amount_in: int, fee_bps: int) -> tuple[int, int]:
    """(amount_out to the recipient, fee to the treasury) for a fill of `amount_in`.

    gross = floor(amount_in * quote_out / quote_in); fee = ceil(gross * fee_bps / 10_000); out = gross - fee.
    """
    gross = amount_in * quote_out // quote_in
    fee = _ceil_div(gross * fee_bps, BPS) if fee_bps else 0
    return gross - fee, fee


def exact_out(quote_in: int, quote_out: int, amount_out: int, fee_bps: int) -> tuple[int, int]:
    """(amount_in paid by the taker, fee) for the recipient to receive exactly `amount_out`.

    gross = ceil(amount_out * 10_000 / (10_000 - fee_bps)); fee = gross - amount_out;
    amount_in = ceil(gross * quote_in / quote_out).
    """
    gross = _ceil_div(amount_out * BPS, BPS - fee_bps) if fee_bps else amount_out
    return _ceil_div(gross * quote_in, quote_out), gross - amount_out
