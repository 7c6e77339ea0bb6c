"""Finding 1: `redeem` accepts only well-formed Bakong account ids and says which rule an id breaks.

The rule (interfaces/IBakongBridge.sol `BakongAccountIdFault`): 3..32 bytes; every byte one of `a-z 0-9 _ . -`
or the single '@'; the '@' neither first nor last. Its one Python statement is
`corridor.bridge.khqr.account_id_fault`; these tests check that the contract and it give the same verdict
(and the same fault and byte index) for every kind of id, including bytes that are not UTF-8, which brownie
cannot send as a `string`: the calldata is built by hand (a `string` is ABI-encoded exactly like `bytes`).
"""

from __future__ import annotations

import re

import pytest
from brownie import web3
from brownie.test import given
from eth_abi import encode
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from corridor.bridge.attest import KHR
from corridor.bridge.khqr import AccountIdFault, InvalidAccountId, account_id_fault, validate_account_id

AMOUNT = 10
F = AccountIdFault

CASES: list[tuple[bytes, tuple[AccountIdFault, int] | None]] = [
    # valid: the ids the suite and its configuration use, and the edges of the format
    (b"a@b", None),
    (b"sokha@aclb", None),
    (b"corridor@abab", None),
    (b"bridge.omnibus@nbcq", None),
    (b"dara_chan@wing", None),
    (b"jon-smith.2@devb", None),
    (b"x" * 30 + b"@b", None),  # 32 bytes
    # each fault
    (b"", (F.TOO_SHORT, 0)),
    (b"@b", (F.TOO_SHORT, 2)),
    (b"x" * 31 + b"@b", (F.TOO_LONG, 33)),  # 33 bytes
    (b"Sokha@aclb", (F.FORBIDDEN_BYTE, 0)),  # upper case
    (b"sokha@ACLB", (F.FORBIDDEN_BYTE, 6)),
    (b"so kha@aclb", (F.FORBIDDEN_BYTE, 2)),
    (b"sokha@aclb\n", (F.FORBIDDEN_BYTE, 10)),
    (b"a@b\x00", (F.FORBIDDEN_BYTE, 3)),  # a NUL would vanish in the left-aligned bytes32
    ("ស@bank".encode(), (F.FORBIDDEN_BYTE, 0)),  # valid UTF-8, not ASCII
    (b"\xff\xfe@aclb", (F.FORBIDDEN_BYTE, 0)),  # not UTF-8: the id that stopped the relayer
    (b"sokha@acl\xc3", (F.FORBIDDEN_BYTE, 9)),  # truncated UTF-8 sequence
    (b"a@b@c", (F.SECOND_AT_SIGN, 3)),
    (b"a@@b", (F.SECOND_AT_SIGN, 2)),
    (b"sokha.aclb", (F.NO_AT_SIGN, 10)),
    (b"@aclb", (F.EMPTY_NAME, 0)),
    (b"sokha@", (F.EMPTY_BANK, 5)),
]

_ERROR = re.compile(r"0x[0-9a-fA-F]{136}")  # selector + two words
SELECTOR = web3.keccak(text="InvalidBakongAccountId(uint8,uint256)")[:4].hex().removeprefix("0x")


@pytest.fixture
def holder(signers, bridge, bkhr, alice, relayer, funded):
    signers.mint(KHR, 10_000, alice, relayer)
    bkhr.approve(bridge, 2**256 - 1, {"from": alice})
    return alice


def redeem_outcome(bridge, holder, account: bytes) -> tuple[AccountIdFault, int] | None:
    """What `redeem(KHR, AMOUNT, account)` does, by eth_call with hand-built calldata: None when it succeeds,
    else the (fault, index) of its InvalidBakongAccountId error (any other error fails the test)."""
    data = bridge.redeem.signature + encode(["uint16", "uint256", "bytes"], [KHR, AMOUNT, account]).hex()
    try:
        web3.eth.call({"from": holder.address, "to": bridge.address, "data": data})
    except Exception as exc:  # web3's ContractLogicError: the revert data rides on the exception
        found = _ERROR.findall(str(exc))  # Anvil: {"code": 3, "message": ..., "data": "0x<selector><words>"}
        revert = next((h.lower().removeprefix("0x") for h in found if h.lower()[2:10] == SELECTOR), None)
        assert revert is not None, f"unexpected revert for {account!r}: {exc}"
        words = bytes.fromhex(revert[8:])
        return F(int.from_bytes(words[:32], "big")), int.from_bytes(words[32:64], "big")
    return None


@pytest.mark.parametrize("account,expected", CASES, ids=[repr(c[0]) for c in CASES])
def test_contract_and_python_agree_on_each_kind_of_id(bridge, holder, account, expected):
    assert account_id_fault(account) == expected
    assert redeem_outcome(bridge, holder, account) == expected


def test_non_utf8_account_id_is_refused_on_chain(bridge, holder):
    """Regression (finding 1): any verified holder could escrow 1 unit to a non-UTF-8 id that the relayer
    could not decode; 779b121 accepted it."""
    assert redeem_outcome(bridge, holder, b"\xff\xfe@aclb") == (F.FORBIDDEN_BYTE, 0)


def test_upper_case_and_non_ascii_ids_are_refused(bridge, holder):
    """Regression (finding 1): 779b121 accepted any byte but '@' (upper case, spaces, Khmer script)."""
    assert redeem_outcome(bridge, holder, b"Sokha@aclb") == (F.FORBIDDEN_BYTE, 0)
    assert redeem_outcome(bridge, holder, "ស@bank".encode()) == (F.FORBIDDEN_BYTE, 0)
    assert redeem_outcome(bridge, holder, b"so kha@aclb") == (F.FORBIDDEN_BYTE, 2)


def test_accepted_id_is_stored_and_emitted(bridge, holder):
    tx = bridge.redeem(KHR, AMOUNT, "jon-smith.2@devb", {"from": holder})
    assert tx.events["RedemptionRequested"]["bakongAccountId"] == "jon-smith.2@devb"
    assert bytes(bridge.redemption(tx.return_value)[6]).rstrip(b"\0") == b"jon-smith.2@devb"


_BYTES = st.sampled_from(list(b"az09_.-@Z \x00\x7f\x80\xe1\xff"))


@given(raw=st.lists(_BYTES, min_size=0, max_size=34).map(bytes))
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_contract_and_python_agree_on_any_bytes(bridge, holder, raw):
    """For any byte string (mostly near the boundaries), the same verdict, fault and index."""
    assert redeem_outcome(bridge, holder, raw) == account_id_fault(raw)


@given(name=st.text(min_size=0, max_size=18), bank=st.text(min_size=0, max_size=14))
@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_contract_and_python_agree_on_any_text(bridge, holder, name, bank):
    """The same on any Unicode text around an '@' (what a user types)."""
    raw = f"{name}@{bank}".encode("utf-8", "surrogatepass")
    assert redeem_outcome(bridge, holder, raw) == account_id_fault(raw)


# ------------------------------------------------------------------ the Python side (no chain needed)


@pytest.mark.parametrize("account,expected", [c for c in CASES if c[1] is not None], ids=lambda c: repr(c))
def test_validate_account_id_raises_with_the_contract_fault(account, expected):
    with pytest.raises(InvalidAccountId) as info:
        validate_account_id(account)
    assert (info.value.fault, info.value.index) == expected
    assert "\n" not in str(info.value)


def test_validate_account_id_returns_text():
    assert validate_account_id(b"sokha@aclb") == "sokha@aclb"
    assert validate_account_id("sokha@aclb") == "sokha@aclb"


def _message(account: bytes) -> str:
    with pytest.raises(InvalidAccountId) as info:
        validate_account_id(account)
    return str(info.value)


def test_validate_account_id_messages_say_which_rule():
    assert _message(b"@b").endswith("is 2 bytes, at least 3 (expected name@bank)")
    assert "is 33 bytes, at most 32" in _message(b"x" * 31 + b"@b")
    assert "byte 0 is not a-z, 0-9, '_', '.', '-' or '@'" in _message(b"Sokha@aclb")
    assert "has a second '@' at byte 3" in _message(b"a@b@c")
    assert "has no '@'" in _message(b"sokha.aclb")
    assert "nothing before the '@'" in _message(b"@aclb")
    assert "nothing after the '@'" in _message(b"sokha@")


def test_validate_account_id_refuses_non_text():
    for value in (None, 5):
        with pytest.raises(InvalidAccountId, match="must be text"):
            validate_account_id(value)
