"""The bridge relayer as a long-running process (the logic is corridor.bridge.relayer's `Relayer`).

Every `--interval` seconds it probes its dependencies (the node, Bakong, at least `threshold` of the
validator processes answering), then runs one relayer pass: settle the redemptions whose payout may
exist first, scan new redemptions, detect paid deposit KHQRs, have the validators sign, mint, pay out,
finalize. An outage of the node, of Bakong or of the validators aborts the pass without counting
against any item, and the next attempt waits with exponential backoff (up to `--max-backoff`). Its
progress lives in the `--state` SQLite file, journaled before every step: `kill -9` at any instant and
a restart neither mints twice nor loses a payout (a redemption journaled `paying` is settled before
anything else on restart).

Paid plain deposits are minted in batches (`--batch-size`, default 64, one `mintBatch` and one quorum of
signatures for all of them), a partial batch once its oldest deposit waited `--batch-latency` seconds
(default 2); a batch the validators refuse or the chain would revert falls back to single mints (logged
`batch fallback: …`); `--batch-size 1` turns batching off. The same size bounds the finalization batches:
the redemptions paid out in a pass are finalized per currency by one `finalizeRedemptionBatch` (validators'
`/sign/batch_finalization`), a lone one singly; refusals and reverts fall back the same way.
It refuses to attest a reserve below the token supply (the bridge would stop minting) unless
`--force`; contract errors are logged decoded (`reverted: MintingStopped(KHR)`); every log line is
timestamped. HTTP (same port as /health):

    POST /deposits         {"currency", "amount", "recipient"} -> the KHQR to pay, its md5 and reference
    POST /deposits/status  {"md5"}                             -> the deposit's progress (404 if unknown)
    POST /invoices         {"khqr", "hookData"[, "hook"]}     -> tracks an invoice's dynamic KHQR (the
                           checkout's, the demo's): once paid, the validators sign a hooked mint into `hook`
                           (one of --hook; default the first, else the book's InvoiceSettlement) with that hook
                           data (corridor.settlement.hook_data; the payer's
                           account and origin filled in from the payment), which settles or refunds it in
                           one transaction; its progress under /deposits/status by the KHQR's md5
    GET  /reconciliation   supply vs omnibus per currency, in-flight money explained
    GET  /dead-letters     what the relayer could not process
    POST /dead-letters/requeue {"item"}  retry a parked item (e.g. deposit:<md5>) on the next pass
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from eth_utils import is_address, to_checksum_address
from requests.exceptions import ConnectionError as RpcConnectionError
from requests.exceptions import Timeout as RpcTimeout
from web3 import Web3

from corridor.bridge.attest import ValidatorSignature
from corridor.bridge.client import BakongApiError, BakongClient, BakongUnavailable, http_client
from corridor.bridge.gateway import BridgeGateway
from corridor.bridge.khqr import Currency, KHQRError, md5
from corridor.bridge.relayer import CRASH_POINTS, MAX_BATCH_SIZE, Payer, Relayer, RelayerConfig
from corridor.bridge.store import BATCH_SIGNED, IN_FLIGHT_PAYOUTS, OPEN_DEPOSITS, RelayerStore
from corridor.bridge.validator import NotEnoughSignatures, Validator, collect
from corridor.services import errors
from corridor.services.bakong_config import (
    BANK_TOKEN,
    BRIDGE,
    KHQR_PAYER,
    OPEN_API_TOKEN,
    SETTLEMENT,
    add_bakong_arguments,
    add_invoice_arguments,
    deploy_block,
    hooks_of,
    linked_origins_of,
    omnibus_of,
    open_api_url,
    token,
)
from corridor.services.chain import add_chain_arguments, open_chain
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
from corridor.services.payments import SIMULATOR, load_payer
from corridor.services.signing import RemoteValidator, ValidatorUnavailable, identify
from corridor.ui import UserError

SERVICE = "relayer"
DEFAULT_PORT = 8640
ROLE = "RELAYER"  # gas-paying key in RELAYER_PRIVATE_KEY or RELAYER_KEYSTORE (+ RELAYER_PASSWORD)
KILL_AT_ENV = "CORRIDOR_RELAYER_KILL_AT"  # tests only: SIGKILL this process at a CRASH_POINTS entry
RPC_DOWN: tuple[type[BaseException], ...] = (RpcConnectionError, RpcTimeout)


class ValidatorsUnavailable(Exception):
    """Too few validator processes answer to reach the threshold: wait for them."""


class ContractReverted(RuntimeError):
    """A bridge transaction or call reverted; the message names the decoded contract error."""


class DecodingGateway(BridgeGateway):
    """The bridge gateway whose failed transactions raise `ContractReverted("<fn> reverted: Error(args)")`
    (an outage of the node is passed through as is)."""

    def _send(self, fn: Any) -> dict:
        try:
            return super()._send(fn)
        except RPC_DOWN:
            raise
        except Exception as exc:  # noqa: BLE001 (web3 raises several types for a revert)
            raise ContractReverted(f"{fn.fn_name} {self._why(fn, exc)}") from exc

    def _why(self, fn: Any, exc: Exception) -> str:
        """The decoded error; a transaction that was mined and reverted is replayed as a call on the
        state before its block to learn it."""
        described = errors.describe(exc, self.contract.abi)
        if not described.startswith("RuntimeError: transaction") or self.sender is None:
            return described
        tx_hash = str(exc).split()[1]
        tx_hash = tx_hash if tx_hash.startswith("0x") else "0x" + tx_hash
        try:
            receipt = self.w3.eth.get_transaction_receipt(tx_hash)
            sender = getattr(self.sender, "address", self.sender)
            fn.call(
                {"from": sender, "gas": receipt["gasUsed"] * 2}, block_identifier=receipt["blockNumber"] - 1
            )
        except Exception as replay:  # noqa: BLE001 (the revert we are after)
            decoded = errors.describe(replay, self.contract.abi)
            return f"reverted in transaction {tx_hash}: {decoded.removeprefix('reverted: ')}"
        return f"reverted in transaction {tx_hash} (used {receipt['gasUsed']} gas; the replay passes: out of gas?)"


class ServiceRelayer(Relayer):
    """The relayer with the outages a process waits out, and a test hook that SIGKILLs the process at a
    crash point (`CORRIDOR_RELAYER_KILL_AT`), so the kill tests hit every step deterministically."""

    OUTAGES = (BakongUnavailable, ValidatorsUnavailable, *RPC_DOWN)

    def __init__(self, *args: Any, kill_at: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kill_at is not None and kill_at not in CRASH_POINTS:
            raise UserError(f"{KILL_AT_ENV}={kill_at} is not one of {', '.join(CRASH_POINTS)}")
        self._kill_at = kill_at

    def _checkpoint(self, point: str) -> None:
        if point == self._kill_at:
            log(SERVICE, f"{KILL_AT_ENV}: killing myself at {point}")
            os.kill(os.getpid(), signal.SIGKILL)
        super()._checkpoint(point)

    def _collect(self, sign: Callable[[Validator], ValidatorSignature]) -> bytes:
        unreachable: list[str] = []

        def ask(v: Validator) -> ValidatorSignature:
            try:
                return sign(v)
            except ValidatorUnavailable as exc:
                unreachable.append(str(exc))
                raise

        try:
            return collect(self.gateway, self.validators, ask)
        except NotEnoughSignatures as exc:
            if unreachable:  # might succeed once they are back: not this item's failure
                raise ValidatorsUnavailable(f"{exc} (unreachable: {len(unreachable)})") from exc
            raise


class RelayerService:
    """The process around a `ServiceRelayer`: probes, backoff, health and the deposit API."""

    def __init__(
        self,
        w3: Web3,
        bridge: str,
        omnibus: str,
        sender: Any,
        client: BakongClient,
        payer: Payer,
        validator_urls: Sequence[str],
        store: RelayerStore,
        config: RelayerConfig,
        interval: float,
        max_backoff: float,
        kill_at: str | None = None,
        hooks: Sequence[str] = (),
    ) -> None:
        self.w3, self.omnibus = w3, omnibus
        self.hooks = [to_checksum_address(h) for h in hooks]  # the first is the default of POST /invoices
        self.gateway = DecodingGateway(w3, bridge, sender)
        self.relayer = ServiceRelayer(self.gateway, client, payer, [], store, config, kill_at=kill_at)
        self.validator_urls = list(validator_urls)
        self._known: dict[str, RemoteValidator] = {}
        self.interval, self.max_backoff = interval, max_backoff
        self.lock = threading.Lock()  # one pass or one deposit request at a time
        self._fallbacks = (
            0  # batches given up since the start (shown in /health: a rising count needs a look)
        )
        self.app = JsonApp(SERVICE, max_body=8 * 1024)
        self.app.health.set(sender=sender.address, bridge=bridge, omnibus=omnibus)
        self.app.route("POST", "/deposits", self.request_deposit)
        self.app.route("POST", "/deposits/status", self.deposit_status)
        self.app.route("POST", "/invoices", self.expect_invoice)
        self.app.route("GET", "/reconciliation", self.reconciliation)
        self.app.route("GET", "/dead-letters", self.dead_letters)
        self.app.route("POST", "/dead-letters/requeue", self.requeue)

    # ---------------------------------------------------------------- API

    def request_deposit(self, req: Request) -> Any:
        currency = req.value("currency", (str, int))
        amount = req.value("amount", int)
        recipient = req.value("recipient", str)
        if amount <= 0:
            raise HttpError(400, f"amount must be a positive whole number of minor units, got {amount}")
        if not is_address(recipient):
            raise HttpError(400, f"recipient must be a 0x address, got {recipient!r}")
        try:
            with self.lock:
                intent = self.relayer.request_deposit(currency, amount, recipient)
        except (ValueError, KHQRError) as exc:
            raise HttpError(400, str(exc)) from exc
        except RPC_DOWN as exc:
            raise HttpError(503, "chain unreachable; try again") from exc
        log(SERVICE, f"deposit {intent.reference} issued: {amount} {intent.currency.name} for {recipient}")
        return {
            "khqr": intent.khqr,
            "md5": intent.md5,
            "reference": intent.reference,
            "currency": intent.currency.name,
            "amount": intent.amount,
            "recipient": intent.recipient,
        }

    def expect_invoice(self, req: Request) -> Any:
        khqr = req.value("khqr", str)
        raw = req.value("hookData", str)
        hook = req.value("hook", str, required=False) or (self.hooks[0] if self.hooks else None)
        if hook is None:
            raise HttpError(
                409, "no mint hook: the book records no InvoiceSettlement and no --hook was given"
            )
        if not is_address(hook) or to_checksum_address(hook) not in self.hooks:
            raise HttpError(400, f"hook {hook!r} is not one of this relayer's mint hooks")
        hook = to_checksum_address(hook)
        try:
            data = bytes.fromhex(raw.removeprefix("0x"))
        except ValueError:
            raise HttpError(400, "hookData must be 0x-hex bytes") from None
        key = md5(khqr)
        try:
            with self.lock:
                known, row = self.relayer.store.get(f"hook:{key}"), self.relayer.store.deposit(key)
                if (
                    known == data.hex() and row is not None
                ):  # asked again (the caller crashed before recording)
                    return self._invoice_answer(row.md5, row.reference, row.currency, row.amount, hook)
                if row is not None:
                    raise HttpError(409, f"KHQR {key} is tracked already (another deposit or invoice)")
                intent = self.relayer.expect_invoice(khqr, hook, data)
        except (ValueError, KHQRError) as exc:
            raise HttpError(400, str(exc)) from exc
        except RPC_DOWN as exc:
            raise HttpError(503, "chain unreachable; try again") from exc
        log(SERVICE, f"invoice {intent.reference} tracked: {intent.amount} {intent.currency.name} to {hook}")
        return self._invoice_answer(intent.md5, intent.reference, intent.currency.value, intent.amount, hook)

    @staticmethod
    def _invoice_answer(key: str, reference: str, currency: int, amount: int, hook: str) -> dict[str, Any]:
        return {
            "md5": key,
            "reference": reference,
            "currency": Currency(currency).name,
            "amount": amount,
            "recipient": hook,
            "hook": hook,
        }

    def deposit_status(self, req: Request) -> Any:
        md5 = req.value("md5", str).lower()
        row = self.relayer.store.deposit(md5)
        if row is None:
            raise HttpError(404, f"unknown deposit {md5}")
        return {
            "md5": row.md5,
            "reference": row.reference,
            "status": row.status,
            "currency": row.currency,
            "amount": row.amount,
            "recipient": row.recipient,
            "payer": row.payer,
            "bakongHash": row.bakong_hash,
            "chainTx": row.chain_tx,
        }

    def reconciliation(self, _req: Request) -> Any:
        try:
            with self.lock:
                lines = self.relayer.reconciliation()
        except (*RPC_DOWN, BakongApiError) as exc:
            raise HttpError(503, f"cannot reconcile now: {type(exc).__name__}") from exc
        return {
            "lines": [
                {
                    "currency": line.currency.name,
                    "supply": line.supply,
                    "omnibus": line.omnibus,
                    "unmintedDeposits": line.unminted_deposits,
                    "unfinalizedPayouts": line.unfinalized_payouts,
                    "drift": line.drift,
                }
                for line in lines
            ]
        }

    def dead_letters(self, _req: Request) -> Any:
        return {"deadLetters": [asdict(d) for d in self.relayer.store.dead_letters()]}

    def requeue(self, req: Request) -> Any:
        item = req.value("item", str)
        with self.lock:
            if not self.relayer.store.requeue(item):
                raise HttpError(404, f"{item} is not a dead letter that can be retried")
        log(SERVICE, f"requeued {item}")
        return {"requeued": item}

    # --------------------------------------------------------------- loop

    def _validators(self) -> None:
        """Learns the address of validator processes not yet identified; requires `threshold` of the
        current set to answer /health, else the pass waits (ValidatorsUnavailable)."""
        for url in self.validator_urls:
            if url not in self._known:
                try:
                    address = identify(url)
                except HttpError:
                    continue
                self._known[url] = RemoteValidator(url, address, self.gateway.domain)
                log(SERVICE, f"validator {address} at {url}")
        current = {a.lower() for a in self.gateway.validators()}
        answering = []
        for v in self._known.values():
            try:
                identify(v.url, timeout=3.0)
            except HttpError:
                continue
            if v.address.lower() in current:
                answering.append(v)
        needed = self.gateway.threshold()
        self.app.health.set(validatorsAnswering=len(answering), threshold=needed)
        if len(answering) < needed:
            raise ValidatorsUnavailable(f"{len(answering)} of {needed} needed validators answer")
        self.relayer.validators = sorted(answering, key=lambda v: int(v.address, 16))

    def probe(self) -> None:
        """Raises an outage when the node, Bakong or the validators cannot serve a pass."""
        head = self.gateway.block_number()
        cursor = int(self.relayer.store.get("next_block", str(self.relayer.config.start_block)) or 0)
        self.app.health.saw_block(max(cursor - 1, 0), head)
        if not self.relayer.client.account_exists(self.omnibus):
            raise BakongApiError(f"Bakong does not know the omnibus account {self.omnibus}")
        self._validators()

    def run_pass(self) -> None:
        self.probe()
        with self.lock:
            report = self.relayer.run_once()
        store = self.relayer.store
        self.app.health.set(
            lastPass=report.summary(),
            inFlightPayouts=len(store.redemptions(*IN_FLIGHT_PAYOUTS)),
            openDeposits=len(store.deposits(*OPEN_DEPOSITS)),
            deadLetters=len(store.dead_letters()),
            openBatches=len(store.batches(BATCH_SIGNED)),
            batchFallbacks=self._fallbacks,
        )
        self._fallbacks += len(report.fallbacks)
        if not report.idle:
            log(SERVICE, report.summary())
        for e in report.errors:
            log(SERVICE, f"  error: {e}")
        for f in report.fallbacks:
            log(SERVICE, f"  batch fallback: {f}")
        for item in report.dead_lettered:
            log(SERVICE, f"  dead letter: {store.dead_letter(item)}")
        if report.errors:
            self.app.health.error(report.errors[-1])
        else:
            self.app.health.ok()

    def loop(self, stop: threading.Event) -> None:
        in_flight = self.relayer.store.redemptions(*IN_FLIGHT_PAYOUTS)
        if in_flight:
            ids = ", ".join(str(r.id) for r in in_flight)
            log(SERVICE, f"restart: settling redemption(s) {ids} first (their payout may exist)")
        failures = 0
        while not stop.is_set():
            try:
                self.run_pass()
                failures = 0
            except (*ServiceRelayer.OUTAGES, BakongApiError, ContractReverted) as exc:
                failures += 1
                self._outage(exc, failures)
            except Exception as exc:  # noqa: BLE001 (keep serving: log it, back off, retry)
                failures += 1
                self._outage(exc, failures)
            delay = self.interval if failures == 0 else min(self.interval * 2**failures, self.max_backoff)
            if failures:
                log(SERVICE, f"  retrying in {delay:.1f}s (attempt {failures + 1})")
            stop.wait(delay)

    def _outage(self, exc: BaseException, failures: int) -> None:
        what = errors.describe(exc, self.gateway.contract.abi)
        if isinstance(exc, RPC_DOWN):
            what = f"node unreachable ({type(exc).__name__})"
        log(SERVICE, f"pass aborted: {what}")
        self.app.health.error(what, down=failures >= 3)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="corridor relayer",
        description="Run the bridge relayer: Bakong deposits in (mint), redemptions out (pay out on Bakong, "
        "finalize), with the validator processes signing; state persists in --state.",
    )
    add_chain_arguments(p)
    add_bakong_arguments(p)
    p.add_argument("--omnibus", help="the bridge's Bakong omnibus account (default: the book's settings)")
    add_server_arguments(p, DEFAULT_PORT)
    p.add_argument(
        "--state", required=True, help="SQLite file of the relayer's progress (created if missing)"
    )
    p.add_argument(
        "--validator",
        action="append",
        required=True,
        metavar="URL",
        help="URL of a validator process (repeat for each; the relayer asks them in address order)",
    )
    p.add_argument(
        "--payments",
        default=SIMULATOR,
        help="bank-payment adapter for payouts: 'simulator' (the Bakong server's /bank API) or "
        "'package.module:factory' (default simulator)",
    )
    p.add_argument("--bank-url", help="base URL of the bank-payment API (default: --bakong-url)")
    p.add_argument("--interval", type=float, default=5.0, help="seconds between passes (default 5)")
    p.add_argument(
        "--max-backoff",
        type=float,
        default=60.0,
        help="longest wait between retries in an outage (default 60)",
    )
    p.add_argument(
        "--payout-margin",
        type=int,
        default=RelayerConfig.payout_margin,
        help="never start a payout this many seconds or fewer before the holder may reclaim (default 3600)",
    )
    p.add_argument(
        "--batch-size",
        type=int,
        default=64,
        help=f"plain deposits per mintBatch, 1..{MAX_BATCH_SIZE} (default 64; 1: every deposit its own mint)",
    )
    p.add_argument(
        "--batch-latency",
        type=float,
        default=2.0,
        help="seconds a partial batch waits for more deposits before it is sent (default 2)",
    )
    p.add_argument(
        "--start-block", type=int, help="first block to scan for redemptions (default: the bridge's)"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="attest a reserve below the supply even though the bridge will stop minting",
    )
    add_invoice_arguments(p)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.interval <= 0 or args.max_backoff < args.interval:
            raise UserError("--interval must be positive and --max-backoff at least --interval")
        if not 1 <= args.batch_size <= MAX_BATCH_SIZE:
            raise UserError(f"--batch-size must be 1..{MAX_BATCH_SIZE}, got {args.batch_size}")
        if not 0 <= args.batch_latency <= 3600:
            raise UserError(f"--batch-latency must be 0..3600 seconds, got {args.batch_latency}")
        open_api = token(args, OPEN_API_TOKEN, "the Open API developer token")
        payer = load_payer(
            args.payments, args.bank_url or args.bakong_url, token(args, BANK_TOKEN, "the bank-payment token")
        )
        w3, book, sender = open_chain(args, ROLE)
        bridge = book.address(BRIDGE)
        config = RelayerConfig(
            omnibus_account=omnibus_of(book, args.omnibus),
            payout_margin=args.payout_margin,
            start_block=args.start_block if args.start_block is not None else deploy_block(book, bridge),
            refuse_stopping_reserve=not args.force,
            khqr_payer=book.address(KHQR_PAYER) if KHQR_PAYER in book.contracts else None,
            settlement=book.address(SETTLEMENT) if SETTLEMENT in book.contracts else None,
            linked_origins=linked_origins_of(args),
            batch_size=args.batch_size,
            batch_latency_ms=round(args.batch_latency * 1000),
        )
        service = RelayerService(
            w3,
            bridge,
            config.omnibus_account,
            sender,
            http_client(open_api_url(args), open_api),
            payer,
            args.validator,
            RelayerStore(args.state),
            config,
            args.interval,
            args.max_backoff,
            kill_at=os.environ.get(KILL_AT_ENV) or None,
            # the mint hooks invoices are paid to: --hook, else the book's InvoiceSettlement
            hooks=hooks_of(args) or ([book.address(SETTLEMENT)] if SETTLEMENT in book.contracts else []),
        )
    except (UserError, BakongApiError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        server = serve(service.app, args.host, args.port)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    log(
        SERVICE,
        f"{sender.address} serving {url_of(server)} (bridge {bridge}, state {args.state}, "
        f"{len(args.validator)} validator(s), payouts via {args.payments}"
        f"{', FORCE: reserves below supply are attested' if args.force else ''})",
    )
    run_until_signal(server, service.loop)
    log(SERVICE, "stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
