"""Bad input to every endpoint of the Bakong server, a validator and the relayer (running processes):
malformed JSON, wrong types, unknown deposits / redemptions / references, oversized bodies, missing
tokens. Each gets a 4xx with a reason, and nothing changes (ledger transfers and balances, the
relayer's deposits, the chain)."""

from __future__ import annotations

import sqlite3
import urllib.request

from corridor.bridge.attest import (
    KHR,
    BatchPayout,
    HookedMintAttestation,
    MintAttestation,
    ReserveAttestation,
    batch_finalization,
    khqr_md5,
)
from corridor.services.signing import attestation_json, payouts_json

from .conftest import CUSTOMER_BAKONG
from .harness import ADMIN, OMNIBUS

BANK = {"Authorization": "Bearer bank-token"}
OPEN_API = {"Authorization": "Bearer dev-token"}
JSON = {"Content-Type": "application/json"}


def post(url: str, body: bytes | dict, headers: dict | None = None) -> tuple[int, dict]:
    import json

    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=raw, method="POST", headers={**JSON, **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def refused(url: str, body: bytes | dict, status: int, reason: str, headers: dict | None = None) -> None:
    got, answer = post(url, body, headers)
    assert got == status, (url, body, got, answer)
    assert reason in answer.get("error", ""), (url, body, answer)


def ledger_state(services) -> tuple:
    accounts = (OMNIBUS, CUSTOMER_BAKONG)
    return (
        services.transfers(),
        [services.balance(a, c) for a in accounts for c in ("KHR", "USD")],
    )


def test_bakong_server_refuses_bad_input_and_changes_nothing(services):
    u = services.bakong.url
    paid = services.deposit("KHR", 1_000, "0x" + "11" * 20)
    services.pay(CUSTOMER_BAKONG, paid["khqr"])
    before = ledger_state(services)
    big = {"accountId": "x" * 20_000}
    cases = [
        # Open API: envelope + reason; token first
        (f"{u}/v1/check_transaction_by_md5", b"{not json", 400, "body is not JSON", OPEN_API),
        (f"{u}/v1/check_transaction_by_md5", {"md5": paid["md5"]}, 401, "Unauthorized", {}),
        (f"{u}/v1/check_transaction_by_md5", {"md5": 5}, 400, "md5 must be a non-empty string", OPEN_API),
        (f"{u}/v1/check_transaction_by_md5", {"md5": "zz" * 16}, 400, "32 hex digits", OPEN_API),
        (f"{u}/v1/check_transaction_by_hash", {"hash": "ab"}, 400, "64 hex digits", OPEN_API),
        (f"{u}/v1/check_bakong_account", {"accountId": []}, 400, "accountId must be", OPEN_API),
        (
            f"{u}/v1/ledger/balance",
            {"accountId": OMNIBUS, "currency": "EUR"},
            400,
            "unsupported currency",
            OPEN_API,
        ),
        (f"{u}/v1/check_bakong_account", big, 413, "above the limit", OPEN_API),
        # the list endpoints: a JSON array of 1..50 MD5s / hashes, the reason names the entry
        (f"{u}/v1/check_transaction_by_md5_list", [paid["md5"]], 401, "Unauthorized", {}),
        (
            f"{u}/v1/check_transaction_by_md5_list",
            {"md5": paid["md5"]},
            400,
            "non-empty JSON array",
            OPEN_API,
        ),
        (f"{u}/v1/check_transaction_by_md5_list", [], 400, "non-empty JSON array", OPEN_API),
        (f"{u}/v1/check_transaction_by_md5_list", [paid["md5"]] * 51, 400, "at most 50 MD5s", OPEN_API),
        (
            f"{u}/v1/check_transaction_by_md5_list",
            [paid["md5"], "zz"],
            400,
            "entry 1 must be a MD5",
            OPEN_API,
        ),
        (
            f"{u}/v1/check_transaction_by_hash_list",
            [paid["md5"]],
            400,
            "entry 0 must be a hash of 64",
            OPEN_API,
        ),
        (f"{u}/v1/renew_token", {"email": 3}, 400, "Missing required fields", {}),
        (f"{u}/v1/renew_token", {"email": "nobody@example.kh"}, 401, "Not registered", {}),
        # bank payouts
        (f"{u}/bank/payout", {"toAccount": CUSTOMER_BAKONG}, 401, "bank token", ADMIN),
        (f"{u}/bank/payout", [1], 400, "JSON object", BANK),
        (
            f"{u}/bank/payout",
            {"toAccount": CUSTOMER_BAKONG, "currency": "KHR", "amount": "100", "reference": "r"},
            400,
            "'amount' must be int",
            BANK,
        ),
        (
            f"{u}/bank/payout",
            {"toAccount": CUSTOMER_BAKONG, "currency": "KHR", "amount": -5, "reference": "r"},
            400,
            "positive whole number",
            BANK,
        ),
        (
            f"{u}/bank/payout",
            {"toAccount": "NOT AN ID", "currency": "KHR", "amount": 5, "reference": "r"},
            400,
            "toAccount",
            BANK,
        ),
        (
            f"{u}/bank/payout",
            {"toAccount": "ghost@nowhere", "currency": "KHR", "amount": 5, "reference": "r"},
            404,
            "UnknownAccount",
            BANK,
        ),
        (
            f"{u}/bank/payout",
            {"toAccount": CUSTOMER_BAKONG, "currency": "KHR", "amount": 10**12, "reference": "r"},
            409,
            "InsufficientFunds",
            BANK,
        ),
        (
            f"{u}/bank/payout",
            {"toAccount": CUSTOMER_BAKONG, "currency": "KHR", "amount": 5, "reference": ""},
            400,
            "'reference' must be 1..128",
            BANK,
        ),
        (f"{u}/bank/payout_status", {"reference": "redeem:1:0xabc:9"}, 404, "no payout", BANK),
        # admin and wallet simulation
        (f"{u}/admin/open_account", {"accountId": CUSTOMER_BAKONG}, 409, "DuplicateAccount", ADMIN),
        (f"{u}/admin/open_account", {"accountId": "Sokha@Wing"}, 400, "accountId", ADMIN),
        (f"{u}/admin/open_account", {"accountId": "new@bank"}, 401, "admin token", BANK),
        (
            f"{u}/admin/cash_in",
            {"accountId": CUSTOMER_BAKONG, "currency": "KHR", "amount": True},
            400,
            "got bool",
            ADMIN,
        ),
        (
            f"{u}/admin/cash_in",
            {"accountId": CUSTOMER_BAKONG, "currency": "XXX", "amount": 1},
            400,
            "currency",
            ADMIN,
        ),
        (f"{u}/admin/register_developer", {"email": "no-at-sign"}, 400, "e-mail", ADMIN),
        (f"{u}/sim/pay_khqr", {"payer": CUSTOMER_BAKONG, "khqr": "garbage"}, 400, "not a valid KHQR", ADMIN),
        (f"{u}/sim/pay_khqr", {"payer": CUSTOMER_BAKONG, "khqr": paid["khqr"]}, 409, "AlreadyPaid", ADMIN),
        (
            f"{u}/sim/transfer",
            {"from": OMNIBUS, "to": OMNIBUS, "currency": "KHR", "amount": 1},
            400,
            "same account",
            ADMIN,
        ),
        (f"{u}/sim/transfers", {"afterSeq": -1}, 400, "afterSeq", ADMIN),
        (f"{u}/sim/balance", {"accountId": "ghost@nowhere", "currency": "KHR"}, 404, "UnknownAccount", ADMIN),
        (f"{u}/nowhere", {}, 404, "no route", ADMIN),
    ]
    for url, body, status, reason, headers in cases:
        refused(url, body, status, reason, headers)
    assert ledger_state(services) == before


def test_bakong_server_md5_list_answers_each_in_order(services):
    paid = services.deposit("KHR", 1_000, "0x" + "11" * 20)
    unpaid = services.deposit("KHR", 2_000, "0x" + "11" * 20)
    services.pay(CUSTOMER_BAKONG, paid["khqr"])
    status, answer = post(
        f"{services.bakong.url}/v1/check_transaction_by_md5_list", [paid["md5"], unpaid["md5"]], OPEN_API
    )
    assert status == 200 and answer["responseCode"] == 0
    first, second = answer["data"]
    assert (first["md5"], first["status"], first["data"]["amount"]) == (paid["md5"], "SUCCESS", 1000)
    assert (second["md5"], second["status"], second["data"]) == (unpaid["md5"], "NOT_FOUND", None)
    status, answer = post(
        f"{services.bakong.url}/v1/check_transaction_by_hash_list", [first["data"]["hash"]], OPEN_API
    )
    assert status == 200 and answer["data"][0]["data"] == first["data"]


def test_validator_refuses_bad_input_and_what_it_cannot_verify(services, web3, bridge, customer):
    u = services.validators[0].url
    now = web3.eth.get_block("latest")["timestamp"]
    unpaid = services.deposit("KHR", 2_000, customer.address)
    mint = MintAttestation(KHR, 2_000, customer.address, b"\x01" * 32, khqr_md5(unpaid["khqr"]), now + 600, 1)
    good = attestation_json(mint)
    hooked = attestation_json(
        HookedMintAttestation(
            KHR, 2_000, customer.address, b"\x01" * 32, khqr_md5(unpaid["khqr"]), now + 600, 1, b"\x02" * 64
        )
    )
    stray = [BatchPayout(99, b"\xab" * 32)]  # a redemption the bridge does not have
    batch = attestation_json(batch_finalization(KHR, stray, [1_000], now + 600, 1))
    block = web3.eth.block_number
    cases = [
        (f"{u}/sign/mint", b"\xff\xfe", 400, "body is not JSON"),
        (f"{u}/sign/mint", {"khqr": unpaid["khqr"]}, 400, "missing field 'attestation'"),
        (f"{u}/sign/mint", {"attestation": good}, 400, "missing field 'khqr'"),
        (
            f"{u}/sign/mint",
            {"khqr": unpaid["khqr"], "attestation": {**good, "amount": "2000"}},
            400,
            "amount must be",
        ),
        (
            f"{u}/sign/mint",
            {"khqr": unpaid["khqr"], "attestation": {**good, "khqrMd5": "0x12"}},
            400,
            "16 bytes",
        ),
        (
            f"{u}/sign/mint",
            {"khqr": unpaid["khqr"], "attestation": {**good, "extra": 1}},
            400,
            "unknown field",
        ),
        (f"{u}/sign/mint", {"khqr": unpaid["khqr"], "attestation": good}, 422, "no settled payment"),
        (f"{u}/sign/mint", {"khqr": "x" * 600_000, "attestation": good}, 413, "above the limit"),
        (
            f"{u}/sign/reserve",
            {"attestation": attestation_json(ReserveAttestation(KHR, 10**9, now, 1))},
            422,
            "omnibus holds",
        ),
        (f"{u}/sign/reconciliation", {"attestation": {"currency": KHR}}, 400, "missing field(s)"),
        (
            f"{u}/sign/finalization",
            {"attestation": {"redemptionId": 99, "payoutTxHash": "0x" + "ab" * 32, "epoch": 1}},
            422,
            "redemption 99 is NONE",
        ),
        (f"{u}/sign/batch_finalization", {"attestation": batch}, 400, "missing field 'payouts'"),
        (
            f"{u}/sign/batch_finalization",
            {"attestation": batch, "payouts": [{"redemptionId": 99}]},
            400,
            "payout 0: exactly the fields",
        ),
        (
            f"{u}/sign/batch_finalization",
            {"attestation": batch, "payouts": payouts_json(stray)},
            422,
            "batch payout 0 (redemption 99)",
        ),
        (
            f"{u}/sign/rejection",
            {"attestation": {"redemptionId": 99, "reason": "0x" + "00" * 32, "epoch": 1}},
            422,
            "is NONE",
        ),
        (f"{u}/sign/hooked_mint", {"attestation": hooked}, 400, "missing field 'khqr'"),
        (
            f"{u}/sign/hooked_mint",
            {"khqr": unpaid["khqr"], "attestation": {**hooked, "hookData": "0x"}},
            400,
            "hookData must be non-empty 0x-hex",
        ),
        (
            f"{u}/sign/hooked_mint",
            {"khqr": unpaid["khqr"], "attestation": {**hooked, "hookData": "0xzz"}},
            400,
            "hookData must be non-empty 0x-hex",
        ),
        (
            f"{u}/sign/hooked_mint",
            {"khqr": unpaid["khqr"], "attestation": {**hooked, "hookData": "0x" + "00" * 4_097}},
            400,
            "at most 4096 bytes",
        ),
        (f"{u}/sign/hooked_mint", {"khqr": unpaid["khqr"], "attestation": hooked}, 422, "no settled payment"),
        (f"{u}/sign/everything", {}, 404, "no route"),
    ]
    for url, body, status, reason in cases:
        refused(url, body, status, reason)
    assert web3.eth.block_number == block  # a validator never sends anything


def test_relayer_refuses_bad_input_and_changes_nothing(services, customer, tmp_path):
    u = services.relayer.url
    services.deposit("KHR", 3_000, customer.address)

    def rows() -> list:
        with sqlite3.connect(tmp_path / "relayer.sqlite") as db:
            return db.execute("SELECT md5, status FROM deposits ORDER BY md5").fetchall()

    before = rows()
    ok = {"currency": "KHR", "amount": 1_000, "recipient": customer.address}
    cases = [
        (f"{u}/deposits", b"{", 400, "body is not JSON"),
        (f"{u}/deposits", {**ok, "amount": "1000"}, 400, "'amount' must be int"),
        (f"{u}/deposits", {**ok, "amount": 0}, 400, "positive whole number"),
        (f"{u}/deposits", {**ok, "amount": 10**12}, 400, "per-message cap"),
        (f"{u}/deposits", {**ok, "currency": "EUR"}, 400, "unsupported currency"),
        (f"{u}/deposits", {**ok, "currency": 1.5}, 400, "'currency' must be"),
        (f"{u}/deposits", {**ok, "recipient": "0x1234"}, 400, "recipient"),
        (f"{u}/deposits", {**ok, "recipient": "0x" + "00" * 20}, 400, "non-zero"),
        (f"{u}/deposits", {**ok, "pad": "x" * 10_000}, 413, "above the limit"),
        (f"{u}/invoices", b"{", 400, "body is not JSON"),
        (f"{u}/invoices", {"khqr": 5, "hookData": "0x"}, 400, "'khqr' must be str"),
        (f"{u}/invoices", {"khqr": "x"}, 400, "missing field 'hookData'"),
        (f"{u}/invoices", {"khqr": "x", "hookData": 5}, 400, "'hookData' must be str"),
        (f"{u}/invoices", {"khqr": "x", "hookData": "0x00"}, 409, "records no InvoiceSettlement"),
        (
            f"{u}/invoices",
            {"khqr": "x", "hook": customer.address, "hookData": "0x00"},
            400,
            "is not one of this relayer's mint hooks",
        ),
        (f"{u}/deposits/status", {"md5": "00" * 16}, 404, "unknown deposit"),
        (f"{u}/deposits/status", {"md5": 7}, 400, "'md5' must be str"),
        (f"{u}/dead-letters/requeue", {"item": "deposit:nothing"}, 404, "not a dead letter"),
        (f"{u}/reconciliation", {}, 405, "no route"),
    ]
    for url, body, status, reason in cases:
        refused(url, body, status, reason)
    assert rows() == before and len(before) == 1
