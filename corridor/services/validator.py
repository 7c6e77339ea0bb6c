"""A bridge validator as its own process: its own key, its own Bakong client, its own chain view.

It answers the relayer's signing requests (corridor.services.signing) after checking each one itself
(corridor.bridge.validator.Validator: the payment on Bakong, the redemption on the chain, the omnibus
balance); what it cannot verify it refuses with 422 and the reason, so a compromised relayer can at
worst stall the bridge.

    POST /sign/mint            {"khqr", "attestation": MintAttestation}
    POST /sign/reserve         {"attestation": ReserveAttestation}
    POST /sign/reconciliation  {"attestation": Reconciliation}
    POST /sign/finalization    {"attestation": RedemptionFinalization}
    POST /sign/rejection       {"attestation": RedemptionRejection}
    -> {"signer", "signature"}; 400 malformed, 422 refused, 503 Bakong or the chain unreachable
    GET  /health               status, last block, whether the key is in the bridge's current set

The key comes from an environment variable (default VALIDATOR_KEY) or a brownie keystore, never from
the command line; the process logs every signature and refusal with a timestamp.
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

from corridor.bridge.attest import MintAttestation
from corridor.bridge.client import BakongApiError, BakongClient, BakongUnavailable, http_client
from corridor.bridge.gateway import BridgeGateway
from corridor.bridge.validator import AttestationRefused, Validator
from corridor.services import signing
from corridor.services.chain import (
    BridgeBook,
    ConfigError,
    add_bakong_arguments,
    add_chain_arguments,
    bridge_book,
    connect,
)
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
from corridor.services.keys import SecretError, add_key_arguments, key_from_args, secret

SERVICE = "validator"
DEFAULT_PORT = 8610
KEY_ENV = "VALIDATOR_KEY"
RPC_DOWN = (RpcConnectionError, RpcTimeout, OSError)


class ValidatorService:
    """The HTTP face of one `Validator`. `ready` turns true once the chain answered with the book's
    chain id; until then every signing request is 503."""

    def __init__(
        self, key: str, client: BakongClient, w3: Web3, book: BridgeBook, name: str = SERVICE
    ) -> None:
        self.w3 = w3
        self.book = book
        self.view = BridgeGateway(w3, book.bridge)
        self.validator = Validator(key, client, self.view, book.omnibus)
        self.name = name
        self.app = JsonApp(name, max_body=32 * 1024)
        self.app.health.set(address=self.validator.address, bridge=book.bridge, omnibus=book.omnibus)
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
        khqr = req.value("khqr", str) if kind == "mint" else None
        try:
            att = signing.parse_attestation(kind, raw)
        except signing.BadAttestation as exc:
            raise HttpError(400, str(exc)) from exc
        try:
            if kind == "mint":
                assert isinstance(att, MintAttestation) and khqr is not None
                sig = self.validator.sign_mint(khqr, att)
            else:
                sig = getattr(self.validator, f"sign_{kind}")(att)
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
                chain_id = self.w3.eth.chain_id
                if self.book.chain_id and chain_id != self.book.chain_id:
                    self.app.health.error(
                        f"chain id {chain_id} is not the book's {self.book.chain_id}", down=True
                    )
                    return
                if not self.w3.eth.get_code(self.book.bridge):
                    self.app.health.error(f"no bridge contract at {self.book.bridge}", down=True)
                    return
                self.ready.set()
                log(self.name, f"connected: chain id {chain_id}, bridge {self.book.bridge}")
            head = self.w3.eth.block_number
            self.app.health.saw_block(head, head)
            current = self.address in self.view.validators()
            self.app.health.set(inValidatorSet=current, epoch=self.view.epoch())
        except RPC_DOWN as exc:
            self.app.health.error(f"chain unreachable: {type(exc).__name__}", down=True)
            return
        try:
            known = self.validator.client.account_exists(self.book.omnibus)
        except BakongApiError as exc:
            self.app.health.error(f"Bakong: {exc}")
            return
        if not known:
            self.app.health.error(f"Bakong does not know the omnibus account {self.book.omnibus}")
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
        "validator's own Bakong client and chain view, and sign only what checks out.",
    )
    add_chain_arguments(p)
    add_bakong_arguments(p)
    add_key_arguments(p, "validator", KEY_ENV)
    add_server_arguments(p, DEFAULT_PORT)
    p.add_argument("--poll", type=float, default=2.0, help="seconds between health probes (default 2)")
    p.add_argument("--name", default=SERVICE, help="name in logs and /health (e.g. validator-2)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.poll <= 0:
            raise ConfigError("--poll must be positive")
        key = key_from_args(args, KEY_ENV)
        token = secret(args.bakong_token_env, "the Open API developer token")
        w3 = connect(args.rpc)
        book = bridge_book(args, None)  # the chain id is checked once the node answers
        client = http_client(args.bakong_url.rstrip("/") + args.bakong_api_path, token)
        service = ValidatorService(key, client, w3, book, args.name)
    except (ConfigError, SecretError, BakongApiError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        server = serve(service.app, args.host, args.port)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    log(args.name, f"{service.address} serving {url_of(server)} (bridge {book.bridge}, book {book.path})")
    run_until_signal(server, lambda stop: service.monitor(stop, args.poll))
    log(args.name, "stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
