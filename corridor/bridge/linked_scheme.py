"""A payer from a scheme linked to Bakong (e.g. Thailand's PromptPay through Bakong's cross-border QR link) paying a
KHQR in the simulator. The foreign participant holds a settlement account on the Bakong ledger
(corridor/bridge/ledger.py, wrapped, not changed); its customer pays in her own currency at the participant's own
rate, and the participant pays the KHQR in KHR/USD from its settlement account. The origin scheme and country are
recorded with every payment (`origin`, e.g. ``TH:PROMPTPAY``: what the validators put in the invoice attestation),
and each origin's per-payment limit comes from the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from corridor.bridge.khqr import decode
from corridor.bridge.ledger import Ledger, Transfer


class LinkedSchemeError(ValueError):
    """A payment the link refuses (unknown origin, above its limit, not a dynamic KHQR): one line, nothing paid."""


@dataclass(frozen=True)
class LinkedScheme:
    """A foreign scheme's participant on Bakong: `rate` = foreign minor units per KHQR minor unit, per currency."""

    scheme: str  # "PROMPTPAY"
    country: str  # ISO 3166-1 alpha-2, "TH"
    settlement_account: str  # its Bakong account, e.g. "promptpay@hub"
    currency: str  # the payer's currency, "THB"
    rates: dict[str, Decimal]  # KHQR currency -> payer minor units per KHQR minor unit
    limits: dict[str, int]  # KHQR currency -> largest payment in its minor units (from the configuration)

    @property
    def origin(self) -> str:
        return f"{self.country}:{self.scheme}"


@dataclass(frozen=True)
class LinkedPayment:
    """A KHQR paid through the link: the Bakong transfer and what the foreign payer was charged."""

    transfer: Transfer
    origin: str
    payer: str  # the payer's id in her own scheme (e.g. a PromptPay phone number)
    charged: int  # minor units of the scheme's currency


@dataclass
class Hub:
    """Bakong as the hub: the linked schemes by origin, over one ledger; `payments` is the compliance record."""

    ledger: Ledger
    schemes: dict[str, LinkedScheme] = field(default_factory=dict)
    payments: list[LinkedPayment] = field(default_factory=list)

    def link(self, scheme: LinkedScheme) -> None:
        if not self.ledger.account_exists(scheme.settlement_account):
            self.ledger.open_account(scheme.settlement_account, scheme.origin)
        self.schemes[scheme.origin] = scheme

    def pay_khqr(self, origin: str, payer: str, khqr: str) -> LinkedPayment:
        """The foreign `payer` pays `khqr` through the scheme of `origin`."""
        scheme = self.schemes.get(origin)
        if scheme is None:
            raise LinkedSchemeError(f"no linked scheme for origin {origin!r}")
        q = decode(khqr)
        if q.amount is None:
            raise LinkedSchemeError(f"{origin}: a linked payer pays dynamic KHQRs only (amount fixed)")
        cur = q.currency.name
        limit = scheme.limits.get(cur)
        if limit is None or cur not in scheme.rates:
            raise LinkedSchemeError(f"{origin}: {cur} KHQRs are not served by the link")
        if q.amount > limit:
            raise LinkedSchemeError(
                f"{origin}: {q.amount} {cur} minor units is above the link's limit {limit}"
            )
        charged = int((Decimal(q.amount) * scheme.rates[cur]).to_integral_value(ROUND_CEILING))
        transfer = self.ledger.pay_khqr(scheme.settlement_account, khqr)
        payment = LinkedPayment(transfer, origin, payer, charged)
        self.payments.append(payment)
        return payment


def scheme_from_config(spec: dict) -> LinkedScheme:
    """A LinkedScheme from a configuration mapping (scheme, country, settlement_account, currency, rates, limits)."""
    try:
        scheme = LinkedScheme(
            str(spec["scheme"]),
            str(spec["country"]),
            str(spec["settlement_account"]),
            str(spec["currency"]),
            {k: Decimal(str(v)) for k, v in spec["rates"].items()},
            {k: int(v) for k, v in spec["limits"].items()},
        )
    except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as exc:
        raise LinkedSchemeError(f"linked scheme configuration: {exc!r}") from exc
    bad = [f"{k}={v}" for k, v in scheme.limits.items() if v <= 0] + [
        f"{k}={v}" for k, v in scheme.rates.items() if not v > 0
    ]
    if bad:
        raise LinkedSchemeError(
            f"linked scheme {scheme.origin}: limits and rates must be positive ({', '.join(bad)})"
        )
    return scheme
