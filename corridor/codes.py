"""The one registry of the codes the corridor uses: currencies, KYC tiers and jurisdictions.

Every other module reads them from here (the KHQR codec, the attestations, the bridge, stablecoin and
exchange deploys, the suite, the payment script, the demo, the Bakong simulator), so a currency is
added by one row in `CURRENCIES` plus its configuration (docs/extending.md, "Add a currency"):

    from corridor.codes import currency, HUB, Tier, JAPAN
    thb = currency("THB")                # or currency(764), currency("764")
    thb.number, thb.decimals, thb.token  # 764, 2, "bTHB"
    thb.to_minor(Decimal("12.34"))       # 1234 (exact: 12.345 is refused, never rounded)
    thb.to_major(1234)                   # Decimal("12.34")
    thb.format(123456)                   # "1,234.56 THB"

Currencies are ISO 4217: the alpha code, the numeric code (what KHQR tag 53 and the bridge's
`currency` argument carry) and the minor unit (decimals: cents for USD, whole riel and yen). A
corridor token's smallest unit is its currency's minor unit ("banker units"), so an on-chain amount
and a Bakong amount are the same integer. Jurisdictions are ISO 3166-1 (numeric on chain, in
`setKyc`; alpha-2 in KHQR tag 58).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import IntEnum


class CodeError(ValueError):
    """A currency, tier or jurisdiction code the registry does not hold (or an amount it cannot hold)."""


# ------------------------------------------------------------------------------------- currencies


@dataclass(frozen=True)
class CurrencyCode:
    """One currency of the corridor.

    `token` / `token_name` are the corridor token's symbol and ERC-20 name; for a currency bridged
    from Bakong (`bridged`) the token is a BridgeToken and its symbol is also its name in the
    deployment book and in `roles:` (bUSD, bKHR). A non-hub currency is priced by the FXFeed
    `feed` ("FXFeed KHR/USD") and traded in the FXPool `pool` against the hub.
    """

    alpha: str
    number: int
    decimals: int
    name: str
    token: str
    token_name: str
    bridged: bool
    book_name: str = ""
    """The token's name in the deployment book (default: its symbol)."""

    def __post_init__(self) -> None:
        if not self.book_name:
            object.__setattr__(self, "book_name", self.token)

    @property
    def code(self) -> str:
        """The 3-digit numeric code as text (KHQR tag 53: "116")."""
        return f"{self.number:03d}"

    @property
    def is_hub(self) -> bool:
        return self.alpha == HUB

    @property
    def feed(self) -> str:
        """The book name of the FXFeed pricing it in the hub currency."""
        return f"FXFeed {self.alpha}/{HUB}"

    @property
    def pool(self) -> str:
        """The book name of the FXPool trading it against the hub."""
        return f"FXPool {self.alpha}/{HUB}"

    @property
    def feed_description(self) -> str:
        """The FXFeed's `description()` ("KHR / USD")."""
        return f"{self.alpha} / {HUB}"

    def to_minor(self, amount: Decimal | int | str) -> int:
        """An amount in major units (Decimal, int or its text; never a float) as minor units, exactly:
        more decimals than the currency has is an error, not a rounding."""
        if isinstance(amount, float | bool) or not isinstance(amount, Decimal | int | str):
            raise CodeError(
                f"amount {amount!r} must be a Decimal, an int or its text, not {type(amount).__name__}"
            )
        try:
            value = Decimal(amount).scaleb(self.decimals)
        except InvalidOperation:
            raise CodeError(f"malformed amount {amount!r}") from None
        if not value.is_finite() or value != value.to_integral_value():
            raise CodeError(f"amount {amount} is not a whole number of {self.alpha} minor units")
        return int(value)

    def to_major(self, minor: int) -> Decimal:
        """Minor units as an exact Decimal of major units (1234 cents -> Decimal("12.34"))."""
        if not isinstance(minor, int) or isinstance(minor, bool):
            raise CodeError(f"minor units must be an int, got {minor!r}")
        return Decimal(minor).scaleb(-self.decimals)

    def format(self, minor: int, code: bool = True) -> str:
        """Minor units for people: thousands separated, every decimal shown ("45,000.00 USD")."""
        text = f"{self.to_major(minor):,.{self.decimals}f}"
        return f"{text} {self.alpha}" if code else text


HUB = "USD"
"""The currency every pool trades against and every feed prices in."""

CURRENCIES: tuple[CurrencyCode, ...] = (
    CurrencyCode("KHR", 116, 0, "Cambodian Riel", "bKHR", "Bakong Riel", bridged=True),
    CurrencyCode("USD", 840, 2, "US Dollar", "bUSD", "Bakong USD", bridged=True),
    CurrencyCode(
        "JPY", 392, 0, "Japanese Yen", "JPYS", "JPY Stablecoin", bridged=False, book_name="JPYStablecoin"
    ),
    CurrencyCode("THB", 764, 2, "Thai Baht", "bTHB", "Bakong Baht", bridged=True),
)
"""The corridor's currencies, one row each. A deployment uses those its settings configure."""

_BY_ALPHA = {c.alpha: c for c in CURRENCIES}
_BY_NUMBER = {c.number: c for c in CURRENCIES}
assert len(_BY_ALPHA) == len(_BY_NUMBER) == len(CURRENCIES), "duplicate currency code"


def currency(value: str | int | CurrencyCode) -> CurrencyCode:
    """The row for an alpha code ("KHR", any case), a numeric code (116 or "116"), or a row itself;
    CodeError for anything else."""
    if isinstance(value, CurrencyCode):
        return value
    found: CurrencyCode | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        found = _BY_NUMBER.get(value)
    elif isinstance(value, str):
        digits = value.isascii() and value.isdigit()
        found = _BY_NUMBER.get(int(value)) if digits else _BY_ALPHA.get(value.upper())
    if found is None:
        known = ", ".join(f"{c.alpha}/{c.number}" for c in CURRENCIES)
        raise CodeError(f"unsupported currency {value!r} (one of {known})")
    return found


def by_number(number: int) -> CurrencyCode:
    """The row of an ISO 4217 numeric code (840 -> USD)."""
    return currency(int(number))


def by_alpha(alpha: str) -> CurrencyCode:
    """The row of an ISO 4217 alpha code ("USD")."""
    if not isinstance(alpha, str) or alpha.isdigit():
        raise CodeError(f"expected an ISO 4217 alpha code, got {alpha!r}")
    return currency(alpha)


def bridged() -> tuple[CurrencyCode, ...]:
    """The currencies the Bakong bridge can carry (settled on Bakong, a BridgeToken on chain)."""
    return tuple(c for c in CURRENCIES if c.bridged)


def by_token(symbol: str) -> CurrencyCode:
    """The row whose corridor token has `symbol` ("bKHR") or book name ("JPYStablecoin")."""
    for c in CURRENCIES:
        if symbol in (c.token, c.book_name):
            return c
    raise CodeError(f"no corridor token named {symbol!r}")


# ------------------------------------------------------------------------------------------ tiers


class Tier(IntEnum):
    """KYC tiers of the compliant tokens (`setKyc`); tier 0 is "not verified". Limits of tiers 1..3
    are configured per token; tier 4 has none (contracts that hold tokens: pools, venue, bridge)."""

    NONE = 0
    RETAIL = 1
    BUSINESS = 2
    CORPORATE = 3
    INSTITUTIONAL = 4


def tier(value: int | str | Tier) -> Tier:
    """A tier from its number (2) or name ("business", any case); CodeError otherwise."""
    if isinstance(value, int) and not isinstance(value, bool) and value in Tier._value2member_map_:
        return Tier(value)
    if isinstance(value, str) and value.strip().upper() in Tier.__members__:
        return Tier[value.strip().upper()]
    raise CodeError(f"unknown KYC tier {value!r} (0..4 or {', '.join(t.name.lower() for t in Tier)})")


# ---------------------------------------------------------------------------------- jurisdictions


@dataclass(frozen=True)
class Jurisdiction:
    """An ISO 3166-1 country: alpha-2 (KHQR tag 58) and numeric (the tokens' `setKyc`)."""

    alpha2: str
    number: int
    name: str


JURISDICTIONS: tuple[Jurisdiction, ...] = (
    Jurisdiction("JP", 392, "Japan"),
    Jurisdiction("KH", 116, "Cambodia"),
    Jurisdiction("US", 840, "United States"),
    Jurisdiction("TH", 764, "Thailand"),
)

JAPAN, CAMBODIA, UNITED_STATES, THAILAND = (j.number for j in JURISDICTIONS)
"""ISO 3166-1 numeric codes, as `setKyc` records them."""

BAKONG_COUNTRY = "KH"
"""KHQR tag 58: every KHQR is issued in Cambodia, whatever its currency."""


def jurisdiction(value: int | str) -> int:
    """The ISO 3166-1 numeric code of a known jurisdiction given by number (392, "392") or alpha-2 ("JP")."""
    for j in JURISDICTIONS:
        if value in (j.number, str(j.number)) or (
            isinstance(value, str) and value.strip().upper() == j.alpha2
        ):
            return j.number
    known = ", ".join(f"{j.alpha2}/{j.number}" for j in JURISDICTIONS)
    raise CodeError(f"unknown jurisdiction {value!r} (one of {known})")
