"""KHQR encoding/decoding: CRC vectors, real-format strings, bakong-khqr compatibility, round trips."""

import hashlib
import json
from pathlib import Path

import pytest
from brownie.test import given
from hypothesis import assume, settings
from hypothesis import strategies as st

from corridor.bridge.khqr import (
    KHQR,
    Currency,
    InvalidAccountId,
    KHQRError,
    crc16,
    decode,
    format_amount,
    md5,
    parse_amount,
    validate_account_id,
    verify_crc,
    with_crc,
)

FIXTURES = Path(__file__).parent / "fixtures"

# Strings from the test suite of Bakong's official KHQR SDK (npm `bakong-khqr`), with their CRCs.
REAL = {
    "individual_khr": "00020101021229180014jonhsmith@nbcq520459995303116540750000.05802KH5910Jonh Smith6010Phnom Penh62150211855123456789917001316257134678276304A96B",
    "individual_usd_bill": "00020101021229180014jonhsmith@nbcq52045999530384054031.05802KH5910Jonh Smith6010PHNOM PENH62210117INV-2021-07-65822991700131625713467827630451CF",
    "merchant_usd": "00020101021230400014jonhsmith@devb01061234560208Dev Bank520459995303840540410.05802KH5910Jonh Smith6010Phnom Penh62360117INV-2021-07-658220211855123456789917001316257134678276304ED60",
}


# ------------------------------------------------------------ CRC


def test_crc16_ccitt_false_check_value():
    assert crc16(b"123456789") == 0x29B1


def test_crc16_of_empty_input_is_init():
    assert crc16(b"") == 0xFFFF


@pytest.mark.parametrize("name", REAL)
def test_real_khqr_crc_verifies(name):
    assert verify_crc(REAL[name])


def test_real_khqr_crc_value_is_recomputed():
    s = REAL["individual_khr"]
    assert with_crc(s[:-8]) == s
    assert s.endswith("6304A96B")


def test_crc_is_accepted_in_lower_case():
    s = REAL["individual_khr"]
    assert verify_crc(s[:-4] + s[-4:].lower())


@pytest.mark.parametrize("i", [0, 20, 60, 100])
def test_any_changed_character_fails_the_crc(i):
    s = REAL["individual_khr"]
    tampered = s[:i] + ("X" if s[i] != "X" else "Y") + s[i + 1 :]
    with pytest.raises(KHQRError):
        decode(tampered)


def test_missing_crc_is_refused():
    with pytest.raises(KHQRError, match="CRC"):
        decode(REAL["individual_khr"][:-8])


# ------------------------------------------------------------ real strings


def test_decode_real_individual_khr():
    q = decode(REAL["individual_khr"])
    assert (q.account_id, q.currency, q.amount, q.merchant_name) == (
        "jonhsmith@nbcq",
        Currency.KHR,
        50_000,
        "Jonh Smith",
    )
    assert q.mobile_number == "85512345678" and q.created_ms == 1625713467827
    assert not q.is_merchant and q.is_dynamic


def test_decode_real_usd_with_bill_number():
    q = decode(REAL["individual_usd_bill"])
    assert (q.currency, q.amount, q.bill_number) == (Currency.USD, 100, "INV-2021-07-65822")


def test_decode_real_merchant_account():
    q = decode(REAL["merchant_usd"])
    assert (q.account_id, q.merchant_id, q.acquiring_bank) == ("jonhsmith@devb", "123456", "Dev Bank")
    assert q.is_merchant and q.amount == 10_00


def test_md5_is_md5_of_the_string():
    s = REAL["individual_khr"]
    assert md5(s) == hashlib.md5(s.encode()).hexdigest()


# ------------------------------------------------------------ bakong-khqr compatibility

VECTORS = json.loads((FIXTURES / "khqr_bakong_khqr_0.6.5.json").read_text())["vectors"]


@pytest.mark.parametrize(
    "vector", VECTORS, ids=[v["input"]["account_id"] + ":" + v["input"]["amount"] for v in VECTORS]
)
def test_strings_made_by_bakong_khqr_reencode_identically(vector):
    assert decode(vector["khqr"]).encode() == vector["khqr"]


def test_bakong_khqr_usd_vector_fields():
    q = decode(VECTORS[1]["khqr"])
    assert (q.account_id, q.currency, q.amount, q.bill_number, q.store_label) == (
        "bridge.omnibus@nbcq",
        Currency.USD,
        12_34,
        "BR-42",
        "bUSD deposit",
    )
    assert q.expires_ms - q.created_ms == 86_400_000


def test_bakong_khqr_static_vector_has_no_amount():
    q = decode(VECTORS[3]["khqr"])
    assert q.amount is None and not q.is_dynamic


# ------------------------------------------------------------ amounts


@pytest.mark.parametrize(
    "cents,text", [(12_34, "12.34"), (12_30, "12.3"), (100, "1"), (1, "0.01"), (5_50, "5.5")]
)
def test_usd_amount_text(cents, text):
    assert format_amount(cents, Currency.USD) == text
    assert parse_amount(text, Currency.USD) == cents


@pytest.mark.parametrize("text,riel", [("40000", 40_000), ("50000.0", 50_000), ("1", 1)])
def test_khr_amount_text(text, riel):
    assert parse_amount(text, Currency.KHR) == riel


@pytest.mark.parametrize("text", ["1.5", "0", "0.00", "1.234", "-1", "1e3", "", "12,5", "99999999999999"])
def test_malformed_khr_amounts_are_refused(text):
    with pytest.raises(KHQRError):
        parse_amount(text, Currency.KHR)


@pytest.mark.parametrize("amount", [0, -1, 1.5, True, "100"])
def test_amount_must_be_positive_integer(amount):
    with pytest.raises(KHQRError):
        format_amount(amount, Currency.USD)


def test_amount_longer_than_13_characters_is_refused():
    with pytest.raises(KHQRError, match="13"):
        format_amount(10**13, Currency.KHR)


# ------------------------------------------------------------ account ids


@pytest.mark.parametrize("account", ["sokha@wing", "a@b", "bridge.omnibus@nbcq", "x" * 27 + "@abcd"])
def test_valid_account_ids(account):
    assert validate_account_id(account) == account


@pytest.mark.parametrize(
    "account", ["", "sokha", "@wing", "sokha@", "a@b@c", "x" * 28 + "@abcd", "so kha@wing", None, 5]
)
def test_invalid_account_ids(account):
    with pytest.raises(InvalidAccountId):
        validate_account_id(account)


# ------------------------------------------------------------ structure


def _body(s: str) -> str:
    return s[:-8]


def test_dynamic_without_amount_is_refused():
    body = (
        "000201010212"
        + "29130009shop@aclb"
        + "52045999"
        + "5303116"
        + "5802KH"
        + "5904Shop"
        + "6009Siem Reap"
    )
    with pytest.raises(KHQRError, match="amount"):
        decode(with_crc(body))


def test_both_individual_and_merchant_templates_are_refused():
    body = (
        "000201010211"
        + "29130009shop@aclb"
        + "30130009shop@aclb"
        + "52045999"
        + "5303116"
        + "5802KH"
        + "5904Shop"
        + "6009Siem Reap"
    )
    with pytest.raises(KHQRError, match="exactly one"):
        decode(with_crc(body))


def test_duplicate_tag_is_refused():
    body = (
        "000201010211"
        + "29130009shop@aclb"
        + "52045999"
        + "5303116"
        + "5303840"
        + "5802KH"
        + "5904Shop"
        + "6009Siem Reap"
    )
    with pytest.raises(KHQRError, match="twice"):
        decode(with_crc(body))


def test_truncated_field_is_refused():
    with pytest.raises(KHQRError, match="declares"):
        decode(with_crc("000201010211" + "2930shop"))


def test_unsupported_currency_is_refused():
    body = (
        "000201010211"
        + "29130009shop@aclb"
        + "52045999"
        + "5303978"
        + "5802KH"
        + "5904Shop"
        + "6009Siem Reap"
    )
    with pytest.raises(KHQRError, match="unsupported currency"):
        decode(with_crc(body))


def test_payload_must_start_with_format_indicator():
    with pytest.raises(KHQRError, match="payload format"):
        decode(with_crc("010211" + "000201" + "29130009shop@aclb"))


def test_zero_evm_recipient_is_refused():
    with pytest.raises(KHQRError, match="zero address"):
        KHQR("shop@aclb", "Shop", Currency.KHR, 1, evm_recipient="0x" + "00" * 20).encode()


def test_expiry_before_creation_is_refused():
    with pytest.raises(KHQRError, match="expiry"):
        KHQR("shop@aclb", "Shop", Currency.KHR, 1, created_ms=10, expires_ms=5).encode()


def test_evm_recipient_round_trips_in_tag_62():
    recipient = "0x" + "ab" * 20
    s = KHQR(
        "bridge@nbcq", "Bridge", Currency.USD, 5_00, bill_number="BR-7", evm_recipient=recipient, created_ms=1
    ).encode()
    assert "5051" in s  # tag 62 sub-tag 50, 51 characters: 0003EVM + 0140<40 hex>
    assert decode(s).evm_recipient == recipient


# ------------------------------------------------------------ round trip (property)

_text = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=25
).filter(lambda s: s == s.strip() and s != "")
_account = st.builds(
    lambda a, b: f"{a}@{b}",
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_.", min_size=1, max_size=15),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10),
)


@st.composite
def khqrs(draw):
    currency = draw(st.sampled_from(list(Currency)))
    created = draw(st.none() | st.integers(1, 10**13))
    return KHQR(
        account_id=draw(_account),
        merchant_name=draw(_text),
        currency=currency,
        amount=draw(st.none() | st.integers(1, 10**12)),
        merchant_city=draw(_text.filter(lambda s: len(s) <= 15)),
        merchant_id=draw(st.none() | st.text(alphabet="0123456789", min_size=1, max_size=10)),
        bill_number=draw(st.none() | _text),
        store_label=draw(st.none() | _text),
        terminal_label=draw(st.none() | _text),
        evm_recipient=draw(
            st.none() | st.binary(min_size=20, max_size=20).filter(any).map(lambda b: "0x" + b.hex())
        ),
        created_ms=created,
        expires_ms=None if created is None else draw(st.none() | st.integers(created + 1, created + 10**9)),
    )


@settings(max_examples=50)
@given(q=khqrs())
def test_decode_inverts_encode(q):
    try:
        s = q.encode()
    except (
        KHQRError
    ) as exc:  # labels + EVM template can exceed tag 62's 99 characters: refused, not truncated
        assert "at most 99" in str(exc)
        assume(False)
    assert verify_crc(s)
    assert decode(s) == q
