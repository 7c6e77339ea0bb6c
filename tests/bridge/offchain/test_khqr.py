"""KHQR encoding/decoding: CRC vectors, real-format strings, bakong-khqr compatibility, round trips."""

import hashlib
import json
from pathlib import Path

import pytest
from brownie.test import given
from hypothesis import HealthCheck, assume, settings
from hypothesis import given as hgiven
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
    parse_tlv,
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


def _small_crc_payload() -> str:
    """A real-format payload whose CRC is below 0x100 and shows a hex letter (e.g. "00BA"), so that the
    spellings `int(x, 16)` takes for the same number ("0xBA", "+0BA", "0_BA", " 0BA", "0BA ") exist."""
    for n in range(100_000):
        s = KHQR("shop@aclb", "Shop", Currency.KHR, 40_000, bill_number=f"INV-{n}").encode()
        crc = int(s[-4:], 16)
        if crc < 0x100 and any(c in "ABCDEF" for c in s[-2:]):
            return s
    raise AssertionError("no payload with a small CRC")


SMALL_CRC = _small_crc_payload()


def _crc_spellings(s: str) -> list[str]:
    low = s[-2:]
    return [f"0x{low}", f"+0{low}", f"0_{low}", f" 0{low}", f"0{low} ", s[-4:].lower(), "٠٠" + low]


@pytest.mark.parametrize("spelling", _crc_spellings(SMALL_CRC))
def test_crc_must_be_four_upper_case_hex_digits(spelling):
    """Finding 6: every other spelling of the CRC's number is refused (by KHQRError, naming tag 63)."""
    assert int(SMALL_CRC[-4:], 16) < 0x100
    tampered = SMALL_CRC[:-4] + spelling
    assert not verify_crc(tampered)
    with pytest.raises(KHQRError, match="tag 63"):
        decode(tampered)


def test_crc_in_lower_case_is_refused():
    s = REAL["individual_khr"]
    assert not verify_crc(s[:-4] + s[-4:].lower())
    with pytest.raises(KHQRError, match="upper-case hex"):
        decode(s[:-4] + s[-4:].lower())


def test_wrong_crc_names_the_expected_value():
    s = REAL["individual_khr"]
    with pytest.raises(KHQRError, match="tag 63 .CRC. is A96C, the payload's CRC is A96B"):
        decode(s[:-4] + "A96C")


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


@pytest.mark.parametrize(
    "text",
    ["٤٠٠٠٠", "４００００", "40000\n", "4٠000", "12.٣", "040000", "00.5", " 40000", "40000.", ".5", "+40000"],
)
@pytest.mark.parametrize("currency", list(Currency))
def test_amount_is_ascii_digits_and_one_point(text, currency):
    """Finding 6: non-ASCII digits, a trailing newline, leading zeros and signs are refused."""
    with pytest.raises(KHQRError, match="malformed amount"):
        parse_amount(text, currency)


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


# ------------------------------------------------------------ strictness (finding 6)

_SHOP = "000201" + "010212" + "29130009shop@aclb" + "52045999" + "5303116"
_TAIL = "5802KH" + "5904Shop" + "6009Siem Reap"


def _shop(amount: str = "540540000", tail: str = _TAIL) -> str:
    return with_crc(_SHOP + amount + tail)


def test_shop_payload_decodes():
    assert decode(_shop()).amount == 40_000


@pytest.mark.parametrize(
    "payload, tag",
    [
        (with_crc("²2" + "0000"), "offset 0"),  # a superscript two is str.isdigit(): was a bare ValueError
        (_shop("54٠5" + "40000"), "offset"),  # non-ASCII digit in a length
        (_shop("5405٤٠٠٠٠"), "tag 54"),  # Arabic-Indic digits
        (_shop("5405４００００"), "tag 54"),  # full-width digits
        (_shop("540640000\n"), "tag 54"),  # trailing newline
        (_shop("5406040000"), "tag 54"),  # leading zero
        (_shop("5400"), "tag 54"),  # empty value
        (_shop("540540000", _TAIL + "6404abcd"), "tag 64 is not supported"),  # unknown tag
        (with_crc(_SHOP.replace("5303116", "5303usd") + "540540000" + _TAIL), "tag 53"),  # currency name
        (with_crc(_SHOP.replace("010212", "010211") + "540540000" + _TAIL), "tag 54"),  # static + amount
        (
            _shop("540540000", _TAIL + "9917" + "0013" + "0162571346782"),
            "tag 99/00",
        ),  # leading-zero timestamp
        (
            _shop("540540000", _TAIL + "62080204ab\tc"),
            "tag 62 must be printable",
        ),  # control character in a label
        (
            _shop("540540000", _TAIL + "62555051" + "0003EVM" + "0140" + "AB" * 20),
            "tag 62/50/01",
        ),  # upper-case EVM address (re-encoding would lower it)
        (_shop("540540000", _TAIL + "62080504abcd"), "tag 62/05 is not supported"),
    ],
)
def test_malformed_fields_raise_khqr_error_naming_the_tag(payload, tag):
    with pytest.raises(KHQRError, match=tag):
        decode(payload)


def test_fields_may_come_in_any_order():
    """EMVCo fixes only 00 first and 63 last: the codec's one freedom besides an amount's trailing zeros."""
    reordered = with_crc(_SHOP + _TAIL + "540540000")
    assert decode(reordered) == decode(_shop())


def test_ledger_surfaces_a_malformed_khqr_as_ledger_error():
    """Finding 6: `Ledger.pay_khqr` leaked the decoder's bare ValueError for a header like '²2'."""
    from corridor.bridge.ledger import Ledger, LedgerError

    ledger = Ledger()
    ledger.open_account("payer@aclb")
    ledger.cash_in("payer@aclb", "KHR", 100_000)
    for payload in (with_crc("²2" + "0000"), _shop("5405٤٠٠٠٠"), SMALL_CRC[:-4] + "0x" + SMALL_CRC[-2:]):
        with pytest.raises(LedgerError, match="not a valid KHQR"):
            ledger.pay_khqr("payer@aclb", payload)
    assert ledger.balance("payer@aclb", "KHR") == 100_000


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


# ------------------------------------------------------------ fuzz (finding 6)
# hypothesis directly (a pure-Python property): `decode` of anything either raises KHQRError or returns a
# request that re-encodes to the same string, the amount's trailing zeros aside ("1.0" vs "1").

_JUNK_CHAR = st.sampled_from(list("0123456789ABCDEFabcdefx .+_-@\n\t\x00~²٤４é"))
_JUNK = st.one_of(_JUNK_CHAR, st.sampled_from(["", "00", "99", "6304", "0.0", "\u00a0"]))


_TEMPLATES = {"29", "30", "62", "62/50", "99"}


def _shape(data: str, where: str = "") -> tuple:
    """The fields of a TLV list, templates opened, in tag order (field order is EMVCo's freedom)."""
    fields = []
    for tag, value in parse_tlv(data):
        path = f"{where}/{tag}" if where else tag
        fields.append((tag, _shape(value, path) if path in _TEMPLATES else value))
    return tuple(sorted(fields))


def _assert_decodes_to_itself_or_refuses(s: str) -> None:
    try:
        q = decode(s)
    except KHQRError:
        return  # any other exception fails the test
    t = q.encode()
    assert decode(t) == q
    if t != s:  # the decoder's two freedoms: field order, trailing zeros after an amount's point
        a, b = dict(_shape(s[:-8])), dict(_shape(t[:-8]))
        amount_s, amount_t = a.pop("54", None), b.pop("54", None)
        assert a == b, (s, t)
        if amount_s != amount_t:
            assert "." in amount_s and amount_s.rstrip("0").rstrip(".") == amount_t, (s, t)


def _encoded(q: KHQR) -> str | None:
    try:
        return q.encode()
    except KHQRError:
        return None


_valid = st.one_of(
    st.sampled_from(list(REAL.values()) + [v["khqr"] for v in VECTORS] + [SMALL_CRC]),
    khqrs().map(_encoded).filter(lambda s: s is not None),
)


@st.composite
def _crc_mutations(draw):
    """The CRC field replaced by 0..6 characters of junk, the body untouched (no CRC recomputed)."""
    s = draw(_valid)
    return s[:-4] + "".join(draw(st.lists(_JUNK, max_size=4)))


@st.composite
def _char_mutations(draw):
    """One to three characters of the body replaced, inserted or deleted, then a valid CRC appended:
    lengths, headers, digits and templates all get hit, and only the decoder's checks stand."""
    body = draw(_valid)[:-8]
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(body)))
        junk = draw(_JUNK)
        op = draw(st.sampled_from(["replace", "insert", "delete"]))
        if op == "replace":
            body = body[:i] + junk + body[i + 1 :]
        elif op == "insert":
            body = body[:i] + junk + body[i:]
        else:
            body = body[:i] + body[i + 1 :]
    return with_crc(body)


@st.composite
def _field_mutations(draw):
    """One top-level field's value (or its declared length) replaced, the CRC recomputed."""
    fields = parse_tlv(draw(_valid)[:-8])
    k = draw(st.integers(0, len(fields) - 1))
    tag, value = fields[k]
    new = draw(st.one_of(st.text(_JUNK_CHAR, max_size=14), st.just(value)))
    length = draw(st.one_of(st.just(f"{len(new):02d}"), st.text(_JUNK_CHAR, min_size=2, max_size=2)))
    fields_text = [f"{t}{len(v):02d}{v}" for t, v in fields]
    fields_text[k] = f"{tag}{length}{new}"
    return with_crc("".join(fields_text))


_DIGITISH = st.sampled_from(list("0123456789.") + ["٤", "４", "²", "\n", " ", "+", "-", "_", "e"])


@st.composite
def _amount_mutations(draw):
    """Tag 54 (added if absent, with initiation 12) replaced by digit-like text, lengths and CRC right."""
    fields = [f for f in parse_tlv(draw(_valid)[:-8]) if f[0] != "54"]
    fields = [("01", "12") if t == "01" else (t, v) for t, v in fields]
    text = draw(st.text(_DIGITISH, min_size=1, max_size=8))
    fields.insert(5, ("54", text))
    return with_crc("".join(f"{t}{len(v):02d}{v}" for t, v in fields))


@st.composite
def _header_mutations(draw):
    """One field's tag or length spelled with a non-ASCII digit, a sign or a space, or a tag renumbered."""
    fields = parse_tlv(draw(_valid)[:-8])
    k = draw(st.integers(0, len(fields) - 1))
    parts = [f"{t}{len(v):02d}{v}" for t, v in fields]
    tag, value = fields[k]
    header = f"{tag}{len(value):02d}"
    i = draw(st.integers(0, 3))
    digit = draw(st.one_of(_DIGITISH, st.sampled_from(list("0123456789"))))
    parts[k] = header[:i] + digit + header[i + 1 :] + value
    return with_crc("".join(parts))


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@hgiven(
    s=st.one_of(
        _crc_mutations(), _char_mutations(), _field_mutations(), _amount_mutations(), _header_mutations()
    )
)
def test_fuzz_mutated_payloads_refuse_or_reencode(s):
    _assert_decodes_to_itself_or_refuses(s)


@settings(max_examples=300, deadline=None)
@hgiven(s=st.one_of(st.text(), st.text().map(with_crc), st.text(_JUNK_CHAR).map(with_crc)))
def test_fuzz_random_text_refuses_or_reencodes(s):
    _assert_decodes_to_itself_or_refuses(s)
