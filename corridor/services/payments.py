"""Bank-payment adapters: how the relayer pays a redemption out of the bridge's omnibus account.

Bakong's Open API only verifies payments; money leaves the omnibus account through the bank that holds
it. An adapter is the relayer's `Payer` (corridor.bridge.relayer): `pay(to, currency, amount, reference)`
returns the Bakong transaction hash and is idempotent by `reference`; `find(reference)` returns the hash
of the payout made under it, or None. The simulator's bank API (corridor.services.bakong_server
`/bank/*`) is the one implemented; a bank's own API plugs in as `--payments package.module:factory`,
where `factory(base_url=…, token=…)` returns an object with those two methods.
"""

from __future__ import annotations

import importlib
from typing import Any

from corridor.bridge.client import BakongApiError, BakongUnavailable
from corridor.bridge.khqr import Currency
from corridor.bridge.relayer import Payer
from corridor.services.http import HttpError, call

SIMULATOR = "simulator"


def _failure(exc: HttpError, what: str) -> BakongApiError:
    """An unreachable bank or a 5xx is an outage (retried later); a 4xx is a refusal of this payout."""
    kind = BakongUnavailable if exc.status == 0 or exc.status >= 500 else BakongApiError
    return kind(f"bank {what}: {exc}")


class SimulatorBank:
    """The simulator's bank-payment API (`/bank/payout`, `/bank/payout_status`) over HTTP."""

    def __init__(self, base_url: str, token: str, timeout: float = 10.0) -> None:
        if not token:
            raise BakongApiError("the bank-payment API needs a token")
        self.base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = timeout

    def _post(self, path: str, payload: dict[str, Any]) -> Any:
        return call(f"{self.base_url}{path}", payload, timeout=self._timeout, headers=self._headers)

    def pay(self, to_account: str, currency: Currency, amount: int, reference: str) -> str:
        payload = {
            "toAccount": to_account,
            "currency": currency.name,
            "amount": amount,
            "reference": reference,
        }
        try:
            return str(self._post("/bank/payout", payload)["hash"])
        except HttpError as exc:
            raise _failure(exc, f"payout {reference}") from exc

    def find(self, reference: str) -> str | None:
        try:
            return str(self._post("/bank/payout_status", {"reference": reference})["hash"])
        except HttpError as exc:
            if exc.status == 404:
                return None
            raise _failure(exc, f"payout status {reference}") from exc


def load_payer(spec: str, base_url: str, token: str) -> Payer:
    """The adapter named by `spec`: "simulator" or "package.module:factory"."""
    if spec == SIMULATOR:
        return SimulatorBank(base_url, token)
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ValueError(f"--payments must be '{SIMULATOR}' or 'package.module:factory', got {spec!r}")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"cannot load payment adapter {spec!r}: {exc}") from exc
    payer = factory(base_url=base_url, token=token)
    if not (callable(getattr(payer, "pay", None)) and callable(getattr(payer, "find", None))):
        raise ValueError(f"payment adapter {spec!r} has no pay() and find()")
    return payer
