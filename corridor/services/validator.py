"""A bridge validator as its own process: its own key, its own Bakong client, its own chain view.

It answers the relayer's signing requests (corridor.services.signing) after checking each one itself
(corridor.bridge.validator.Validator: the payment on Bakong, the redemption on the chain, the omnibus
balance); what it cannot verify it refuses with 422 and the reason, so a compromised relayer can at
worst stall the bridge.

    POST /sign/mint            {"khqr", "attestation": MintAttestation}
    POST /sign/hooked_mint     {"khqr", "attestation": HookedMintAttestation}  (an invoice paid by KHQR,
                               minted into a mint hook: --hook, else the book's InvoiceSettlement)
    POST /sign/batch_mint      {"khqrs": [...], "deposits": [BatchDeposit...], "attestation": BatchMintAttestation}
                               (every deposit checked against Bakong, read with the list endpoints; a
                               refusal names the deposit: "batch deposit 3 (KHQR <md5>): <reason>")
    POST /sign/batch_finalization  {"payouts": [BatchPayout...], "attestation": BatchRedemptionFinalization}
                               (every payout checked against Bakong and the chain as a single one; a refusal
                               names the payout: "batch payout 2 (redemption 7): <reason>")
    POST /sign/reserve         {"attestation": ReserveAttestation}
    POST /sign/reconciliation  {"attestation": Reconciliation}
    POST /sign/finalization    {"attestation": RedemptionFinalization}
    POST /sign/rejection       {"attestation": RedemptionRejection}
    (a hooked mint, an invoice paid by KHQR, is signed only to a `--hook` contract; a payment from a
    `--linked-origin` settlement account carries that origin)
    -> {"signer", "signature"}; 400 malformed, 422 refused, 503 Bakong or the chain unreachable
    GET  /health               status, last block, whether the key is in the bridge's current set

The key comes from VALIDATOR_PRIVATE_KEY or a brownie keystore (VALIDATOR_KEYSTORE, password in
VALIDATOR_PASSWORD), never from the command line; the process logs every signature and refusal with a timestamp.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence
from typing import Any

from requests.exceptions import ConnectionError as RpcConnectionError
from requests.exceptions import Timeout as RpcTimeout
from web3 import Web3

from corridor.bridge.client import BakongApiError, BakongClient, BakongUnavailable, http_client
from corridor.bridge.gateway import BridgeGateway
from corridor.bridge.validator import AttestationRefused, Validator
from corridor.services import signing
from corridor.services.bakong_config import (
    BRIDGE,
    OPEN_API_TOKEN,
    SETTLEMENT,
    add_bakong_arguments,
    add_invoice_arguments,
    hooks_of,
    linked_origins_of,
    omnibus_of,
    open_api_url,
    token,
)
from corridor.services.chain import Book, add_chain_arguments, open_chain
from corridor.services.http import (
    HttpError,
    JsonApp,
    Request,
    add_server_arguments,
    log,
    run_until_signal,
    serve,
    url_of,
)
from corridor.ui import UserError

SERVICE = "validator"
DEFAULT_PORT = 8631  # validator N: 8630 + N
ROLE = "VALIDATOR"  # key in VALIDATOR_PRIVATE_KEY or VALIDATOR_KEYSTORE (+ VALIDATOR_PASSWORD)
RPC_DOWN = (RpcConnectionError, RpcTimeout, OSError)


class ValidatorService:
    """The HTTP face of one `Validator`. `ready` turns true once the chain answered with the book's
    chain id; until then every signing request is 503."""

    def __init__(
        self,
        key: str,
        client: BakongClient,
        w3: Web3,
        book: Book,
        omnibus: str,
        name: str = SERVICE,
        hooks: Sequence[str] = (),
        linked_origins: dict[str, str] | None = None,
    ) -> None:
        self.w3 = w3
        self.bridge, self.omnibus = book.address(BRIDGE), omnibus
        self.view = BridgeGateway(w3, self.bridge)
        # the hooks it signs invoice payments to: --hook, else the book's InvoiceSettlement
        hooks = list(hooks) or ([book.address(SETTLEMENT)] if SETTLEMENT in book.contracts else [])
        self.validator = Validator(key, client, self.view, omnibus, hooks, linked_origins)
        self.name = name
        self.app = JsonApp(name, max_body=512 * 1024)  # a batch of 256 deposits with their KHQRs: ~150 KB
        self.app.health.set(address=self.validator.address, bridge=self.bridge, omnibus=omnibus)
        self.ready = threading.Event()
        for kind in signing.KINDS:
            self.app.route("POST", f"/sign/{kind}", lambda req, k=kind: self.sign(k, req))

    @property
    def address(self) -> str:
        return self.validator.address

    def sign(self, kind: str, req: Request) -> Any:
        if not self.ready.is_set():
            raise HttpError(503, "not connected to the chain yet")
        raw = req.value("attestation", dict)
        khqr = req.value("khqr", str) if kind in signing.WITH_KHQR else None
        try:
            att = signing.parse_attestation(kind, raw)
            batch: tuple | None = None
            if kind == "batch_mint":
                batch = signing.parse_batch(req.value("khqrs", list), req.value("deposits", list))
            elif kind == "batch_finalization":
                batch = (signing.parse_payouts(req.value("payouts", list)),)
        except signing.BadAttestation as exc:
            raise HttpError(400, str(exc)) from exc
        sign = getattr(self.validator, f"sign_{kind}")
        try:
            if batch is not None:
                sig = sign(*batch, att)
            else:
                sig = sign(khqr, att) if khqr is not None else sign(att)
        except AttestationRefused as exc:
            log(self.name, f"refused {kind}: {exc}")
            raise HttpError(422, str(exc)) from exc
        except BakongUnavailable as exc:
            self.app.health.error(str(exc))
            raise HttpError(503, f"Bakong unreachable: {exc}") from exc
        except BakongApiError as exc:
            raise HttpError(502, f"Bakong answered something this validator cannot trust: {exc}") from exc
        except RPC_DOWN as exc:
            self.app.health.error(f"chain unreachable: {exc}", down=True)
            raise HttpError(503, "chain unreachable") from exc
        log(self.name, f"signed {kind} {signing.attestation_json(att)}")
        return signing.signature_json(sig)

    def check(self) -> None:
        """One health probe: chain (id, head, validator set) and Bakong (the omnibus account)."""
        try:
            if not self.ready.is_set():
                if not self.w3.eth.get_code(self.bridge):
                    self.app.health.error(f"no bridge contract at {self.bridge}", down=True)
                    return
                self.ready.set()
                log(self.name, f"connected: chain id {self.w3.eth.chain_id}, bridge {self.bridge}")
            head = self.w3.eth.block_number
            self.app.health.saw_block(head, head)
            current = self.address in self.view.validators()
            self.app.health.set(inValidatorSet=current, epoch=self.view.epoch())
        except RPC_DOWN as exc:
            self.app.health.error(f"chain unreachable: {type(exc).__name__}", down=True)
            return
        try:
            known = self.validator.client.account_exists(self.omnibus)
        except BakongApiError as exc:
            self.app.health.error(f"Bakong: {exc}")
            return
        if not known:
            self.app.health.error(f"Bakong does not know the omnibus account {self.omnibus}")
        elif not current:
            self.app.health.error(f"{self.address} is not in the bridge's current validator set")
        else:
            self.app.health.ok()

    def monitor(self, stop: threading.Event, interval: float) -> None:
        while True:
            self.check()
            if stop.wait(interval):
                return


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="corridor validator",
        description="Run one bridge validator: verify the relayer's signing requests against this "
        "validator's own Bakong client and chain view, and sign only what checks out. Key in "
        "VALIDATOR_PRIVATE_KEY or VALIDATOR_KEYSTORE (+ VALIDATOR_PASSWORD); Open API token in BAKONG_TOKEN.",
    )
    add_chain_arguments(p)
    add_bakong_arguments(p)
    p.add_argument("--omnibus", help="the bridge's Bakong omnibus account (default: the book's settings)")
    add_server_arguments(p, DEFAULT_PORT)
    p.add_argument("--poll", type=float, default=2.0, help="seconds between health probes (default 2)")
    p.add_argument("--name", default=SERVICE, help="name in logs and /health (e.g. validator-2)")
    add_invoice_arguments(p)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.poll <= 0:
            raise UserError("--poll must be positive")
        w3, book, account = open_chain(args, ROLE)
        assert account is not None
        client = http_client(open_api_url(args), token(args, OPEN_API_TOKEN, "the Open API developer token"))
        service = ValidatorService(
            "0x" + bytes(account.key).hex(),
            client,
            w3,
            book,
            omnibus_of(book, args.omnibus),
            args.name,
            hooks_of(args),
            linked_origins_of(args),
        )
    except (UserError, BakongApiError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        server = serve(service.app, args.host, args.port)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    log(args.name, f"{service.address} serving {url_of(server)} (bridge {service.bridge}, book {book.path})")
    run_until_signal(server, lambda stop: service.monitor(stop, args.poll))
    log(args.name, "stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
