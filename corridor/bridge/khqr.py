"""KHQR: Bakong's EMVCo merchant-presented QR payload, encoded and decoded with integer money only.

A KHQR string is a flat list of TLV fields (2-digit tag, 2-digit length, value) where some values are
themselves TLV lists (templates 29/30, 62, 99). It ends with tag 63, a CRC-16/CCITT-FALSE over the whole
string including the "6304" that introduces the CRC. The MD5 of the full string is the key under which
Bakong's Open API answers `check_transaction_by_md5`.

Why not the PyPI package `bakong-khqr` (0.6.5, evaluated in docs/bakong.md): it generates offline, but
it formats amounts through `float`, stamps tag 99 from the wall clock with no way to inject it (so an
MD5 cannot be reproduced), has no verifier or nested decoder, and only knows individual (tag 29)
accounts. The encoder below is field-for-field compatible with it (tests compare against strings it
produced) and adds what a bridge validator needs: a strict decoder that checks the CRC, lengths and
money before anything is trusted.

The EVM recipient of a bridge deposit travels inside tag 62 as a payment-system template (sub-tag 50,
EMVCo's range for those) with its own id (`00` = "EVM") and the 20-byte address in hex (`01`); the bill
number (`01`) carries the invoice reference. Both are covered by the CRC and by the MD5 that Bakong
records, so a validator reads the recipient from the payment itself, not from the relayer.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, IntEnum

from corridor import codes
from corridor.codes import CurrencyCode

ACCOUNT_ID_MIN = 3
ACCOUNT_ID_MAX = 32
ACCOUNT_ID_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_.-")
"""The bytes a Bakong account id may hold besides its single '@'."""
# Every pattern below is used with `fullmatch` and spells its digits [0-9]: `\d` would also match
# non-ASCII digits ('٤', '４', '²') and `$` would let a trailing newline through.
_AMOUNT = re.compile(r"(0|[1-9][0-9]*)(?:\.([0-9]{1,2}))?")
_HEX_ADDRESS = re.compile(r"[0-9a-f]{40}")
_DIGITS = re.compile(r"[0-9]+")
_NUMBER = re.compile(r"[1-9][0-9]*")  # a positive integer without leading zeros
_CRC_HEX = re.compile(r"[0-9A-F]{4}")

# Top-level tags.
TAG_PAYLOAD_FORMAT = "00"
TAG_POINT_OF_INITIATION = "01"
TAG_INDIVIDUAL = "29"
TAG_MERCHANT = "30"
TAG_MCC = "52"
TAG_CURRENCY = "53"
TAG_AMOUNT = "54"
TAG_COUNTRY = "58"
TAG_NAME = "59"
TAG_CITY = "60"
TAG_ADDITIONAL = "62"
TAG_TIMESTAMP = "99"
TAG_CRC = "63"

# Sub-tags of 62 (additional data) and of the EVM template inside it.
SUB_BILL_NUMBER = "01"
SUB_MOBILE = "02"
SUB_STORE_LABEL = "03"
SUB_TERMINAL_LABEL = "07"
SUB_PURPOSE = "08"
SUB_EVM_TEMPLATE = "50"
EVM_TEMPLATE_ID = "EVM"

STATIC = "11"
DYNAMIC = "12"
DEFAULT_MCC = "5999"
MAX_AMOUNT_CHARS = 13
MAX_NAME = 25
MAX_CITY = 15
MAX_LABEL = 25

# The tags the codec knows, per template; any other tag is refused rather than silently dropped (what
# is decoded is then everything the CRC and the MD5 cover, and it re-encodes to the same fields).
TOP_TAGS = frozenset(
    {
        TAG_PAYLOAD_FORMAT,
        TAG_POINT_OF_INITIATION,
        TAG_INDIVIDUAL,
        TAG_MERCHANT,
        TAG_MCC,
        TAG_CURRENCY,
        TAG_AMOUNT,
        TAG_COUNTRY,
        TAG_NAME,
        TAG_CITY,
        TAG_ADDITIONAL,
        TAG_TIMESTAMP,
    }
)
ACCOUNT_TAGS = frozenset({"00", "01", "02"})
ADDITIONAL_TAGS = frozenset(
    {SUB_BILL_NUMBER, SUB_MOBILE, SUB_STORE_LABEL, SUB_TERMINAL_LABEL, SUB_PURPOSE, SUB_EVM_TEMPLATE}
)
EVM_TAGS = frozenset({"00", "01"})
TIMESTAMP_TAGS = frozenset({"00", "01"})


class KHQRError(ValueError):
    """A KHQR string or field that is malformed, inconsistent or fails its CRC."""


class AccountIdFault(IntEnum):
    """The rule of the Bakong account-id format an id breaks: the same codes, checked in the same order, as
    the bridge's `BakongAccountIdFault` (interfaces/IBakongBridge.sol), so both refuse the same ids."""

    TOO_SHORT = 0
    TOO_LONG = 1
    FORBIDDEN_BYTE = 2
    SECOND_AT_SIGN = 3
    NO_AT_SIGN = 4
    EMPTY_NAME = 5
    EMPTY_BANK = 6


class InvalidAccountId(KHQRError):
    """A Bakong account id that is not `name@bank` (3..32 bytes of a-z 0-9 _ . - and one '@' inside).

    `fault` and `index` are what the bridge's `InvalidBakongAccountId` error carries (None for a non-string)."""

    def __init__(self, message: str, fault: AccountIdFault | None = None, index: int | None = None):
        super().__init__(message)
        self.fault = fault
        self.index = index


class _BakongCurrency(Enum):
    """The methods of `Currency`; its members are the registry's bridged currencies (corridor.codes)."""

    @property
    def row(self) -> CurrencyCode:
        """The currency's registry row (alpha, number, decimals, token, feed)."""
        return codes.by_number(self.value)

    @property
    def decimals(self) -> int:
        """The minor unit (0 for riel, 2 for cents)."""
        return self.row.decimals

    @property
    def code(self) -> str:
        """The 3-digit value of tag 53."""
        return self.row.code

    @classmethod
    def parse(cls, value: str | int | Currency) -> Currency:
        """Accepts a Currency, its alpha code ("KHR", any case) or its numeric code (116 / "116")."""
        if isinstance(value, cls):
            return value
        try:
            row = codes.currency(value)
        except codes.CodeError:
            row = None
        if row is None or not row.bridged:
            known = " or ".join(f"{c.alpha}/{c.number}" for c in codes.bridged())
            raise KHQRError(f"unsupported currency {value!r} ({known})")
        return cls[row.alpha]


Currency = _BakongCurrency("Currency", [(c.alpha, c.number) for c in codes.bridged()], module=__name__)
"""Bakong currencies by ISO 4217 numeric code (Currency.KHR.value == 116): one member per bridged row
of corridor.codes.CURRENCIES, so a new currency needs no edit here."""


def account_id_fault(account_id: str | bytes) -> tuple[AccountIdFault, int] | None:
    """The first rule `account_id` breaks and the byte index (the length for TOO_SHORT, TOO_LONG and
    NO_AT_SIGN), or None for a valid id. The one statement of the rule off chain; it walks the UTF-8 bytes
    exactly as `BakongAccountId.parse` does (tests/bridge/test_account_ids.py checks both agree)."""
    raw = account_id if isinstance(account_id, bytes) else account_id.encode("utf-8", "surrogatepass")
    n = len(raw)
    if n < ACCOUNT_ID_MIN:
        return AccountIdFault.TOO_SHORT, n
    if n > ACCOUNT_ID_MAX:
        return AccountIdFault.TOO_LONG, n
    at = None
    for i, byte in enumerate(raw):
        if byte == 0x40:
            if at is not None:
                return AccountIdFault.SECOND_AT_SIGN, i
            at = i
        elif byte not in ACCOUNT_ID_BYTES:
            return AccountIdFault.FORBIDDEN_BYTE, i
    if at is None:
        return AccountIdFault.NO_AT_SIGN, n
    if at == 0:
        return AccountIdFault.EMPTY_NAME, 0
    if at == n - 1:
        return AccountIdFault.EMPTY_BANK, at
    return None


_FAULT_TEXT = {
    AccountIdFault.TOO_SHORT: "is {index} bytes, at least 3",
    AccountIdFault.TOO_LONG: "is {index} bytes, at most 32",
    AccountIdFault.FORBIDDEN_BYTE: "byte {index} is not a-z, 0-9, '_', '.', '-' or '@'",
    AccountIdFault.SECOND_AT_SIGN: "has a second '@' at byte {index}",
    AccountIdFault.NO_AT_SIGN: "has no '@'",
    AccountIdFault.EMPTY_NAME: "has nothing before the '@'",
    AccountIdFault.EMPTY_BANK: "has nothing after the '@'",
}


def validate_account_id(account_id: str | bytes) -> str:
    """Returns `account_id` (as text) if it is a Bakong account id, else raises InvalidAccountId saying which
    rule it breaks: `name@bank`, 3..32 bytes of lower-case a-z, 0-9, '_', '.', '-' and exactly one '@' that is
    neither first nor last (Bakong's account-id format, enforced on chain by `BakongBridge.redeem`)."""
    if not isinstance(account_id, str | bytes):
        raise InvalidAccountId(f"Bakong account id must be text, got {account_id!r}")
    found = account_id_fault(account_id)
    if found is not None:
        fault, index = found
        reason = _FAULT_TEXT[fault].format(index=index)
        raise InvalidAccountId(
            f"invalid Bakong account id {account_id!r}: {reason} (expected name@bank)", fault, index
        )
    return account_id.decode("ascii") if isinstance(account_id, bytes) else account_id


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor); check("123456789") = 0x29B1."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def md5(khqr: str) -> str:
    """The lookup key of a KHQR payment in Bakong's Open API (hex MD5 of the UTF-8 string)."""
    return hashlib.md5(khqr.encode("utf-8")).hexdigest()


def format_amount(amount: int, currency: Currency) -> str:
    """Minor units to the tag-54 text: riel as is, cents as dollars without trailing zeros ("12.3")."""
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise KHQRError(f"amount must be a positive integer of minor units, got {amount!r}")
    places = currency.decimals
    if places == 0:
        text = str(amount)
    else:
        whole, minor = divmod(amount, 10**places)
        text = str(whole) if minor == 0 else f"{whole}.{minor:0{places}d}".rstrip("0")
    if len(text) > MAX_AMOUNT_CHARS:
        raise KHQRError(f"amount {text} is longer than {MAX_AMOUNT_CHARS} characters")
    return text


def parse_amount(text: str, currency: Currency) -> int:
    """Tag-54 text to minor units, exactly: ASCII digits without leading zeros and at most one '.'
    followed by 1 or 2 digits, no more significant decimals than the currency has (riel whole, cents
    2). Trailing zeros
    after the point ("1.0", "50000.0", as Bakong's SDK writes them) are the one spelling accepted
    that `format_amount` does not produce."""
    m = _AMOUNT.fullmatch(text)
    if not m or len(text) > MAX_AMOUNT_CHARS:
        raise KHQRError(f"malformed amount {text!r}")
    places = currency.decimals
    whole, frac = int(m.group(1)), (m.group(2) or "")
    if frac[places:].strip("0"):
        if places == 0:
            raise KHQRError(f"{currency.name} moves in whole units, got {text!r}")
        raise KHQRError(f"{currency.name} has at most {places} decimals, got {text!r}")
    value = whole * 10**places + int(frac[:places].ljust(places, "0") or "0")
    if value <= 0:
        raise KHQRError(f"amount must be positive, got {text!r}")
    return value


def _printable(value: str) -> bool:
    """EMVCo's common character set: printable ASCII (so a length in characters is one in bytes)."""
    return all(" " <= ch <= "~" for ch in value)


def tlv(tag: str, value: str) -> str:
    """One field: 2-digit tag, 2-digit length (characters), value (1..99 printable ASCII characters)."""
    if len(tag) != 2 or not _DIGITS.fullmatch(tag):
        raise KHQRError(f"tag must be two digits, got {tag!r}")
    if not value:
        raise KHQRError(f"tag {tag} must not be empty")
    if len(value) > 99:
        raise KHQRError(f"tag {tag} is {len(value)} characters, at most 99")
    if not _printable(value):
        raise KHQRError(f"tag {tag} must be printable ASCII, got {value!r}")
    return f"{tag}{len(value):02d}{value}"


def parse_tlv(data: str, where: str = "") -> list[tuple[str, str]]:
    """Splits a TLV list into (tag, value) pairs. Each header is 4 ASCII digits, each value exactly as
    long as its header says (01..99) and printable ASCII; anything else raises KHQRError naming the
    tag (`where` is the enclosing template, e.g. "62" for the fields inside tag 62)."""
    fields: list[tuple[str, str]] = []
    prefix = f"{where}/" if where else ""
    i = 0
    while i < len(data):
        header = data[i : i + 4]
        if len(header) < 4 or not _DIGITS.fullmatch(header):
            inside = f" in tag {where}" if where else ""
            raise KHQRError(f"malformed TLV header {header!r} at offset {i}{inside}")
        tag, length = header[:2], int(header[2:])
        value = data[i + 4 : i + 4 + length]
        if length == 0:
            raise KHQRError(f"tag {prefix}{tag} declares an empty value (lengths are 01..99)")
        if len(value) != length:
            raise KHQRError(f"tag {prefix}{tag} declares {length} characters, {len(value)} remain")
        if not _printable(value):
            raise KHQRError(f"tag {prefix}{tag} must be printable ASCII, got {value!r}")
        fields.append((tag, value))
        i += 4 + length
    return fields


def _unique(fields: list[tuple[str, str]], where: str, known: frozenset[str]) -> dict[str, str]:
    """The fields as a dict, refusing a repeated tag and a tag outside `known` (`where` is the
    enclosing template's tag, "" at the top level)."""
    prefix = f"{where}/" if where else ""
    inside = f"tag {where}" if where else "KHQR"
    out: dict[str, str] = {}
    for tag, value in fields:
        if tag in out:
            raise KHQRError(f"tag {prefix}{tag} appears twice in {inside}")
        if tag not in known:
            raise KHQRError(f"tag {prefix}{tag} is not supported in {inside}")
        out[tag] = value
    return out


def _template(value: str, tag: str, known: frozenset[str]) -> dict[str, str]:
    """The fields of template `tag` (its `value` parsed as a TLV list)."""
    return _unique(parse_tlv(value, tag), tag, known)


def _text(value: str | None, name: str, limit: int) -> str | None:
    if value is None:
        return None
    if not value or len(value) > limit:
        raise KHQRError(f"{name} must be 1..{limit} characters, got {value!r}")
    return value


@dataclass(frozen=True)
class KHQR:
    """The fields of a KHQR payment request. `amount` is in minor units (None = static QR).

    `merchant_id`/`acquiring_bank` make it a merchant QR (tag 30) instead of an individual one (29).
    Timestamps are Unix milliseconds and are passed in, never read from the clock here.
    """

    account_id: str
    merchant_name: str
    currency: Currency
    amount: int | None = None
    merchant_city: str = "Phnom Penh"
    mcc: str = DEFAULT_MCC
    merchant_id: str | None = None
    acquiring_bank: str | None = None
    account_information: str | None = None
    bill_number: str | None = None
    mobile_number: str | None = None
    store_label: str | None = None
    terminal_label: str | None = None
    purpose: str | None = None
    evm_recipient: str | None = None
    created_ms: int | None = None
    expires_ms: int | None = None

    @property
    def is_dynamic(self) -> bool:
        return self.amount is not None

    @property
    def is_merchant(self) -> bool:
        return self.merchant_id is not None

    def encode(self) -> str:
        """The full KHQR string with its CRC."""
        return encode(self)


def _check(q: KHQR) -> None:
    validate_account_id(q.account_id)
    _text(q.merchant_name, "merchant name", MAX_NAME)
    _text(q.merchant_city, "merchant city", MAX_CITY)
    for name in ("bill_number", "mobile_number", "store_label", "terminal_label", "purpose"):
        _text(getattr(q, name), name.replace("_", " "), MAX_LABEL)
    if not _DIGITS.fullmatch(q.mcc) or len(q.mcc) != 4:
        raise KHQRError(f"merchant category code must be 4 digits, got {q.mcc!r}")
    if q.amount is not None:
        format_amount(q.amount, q.currency)
    if q.evm_recipient is not None and not _HEX_ADDRESS.fullmatch(_strip0x(q.evm_recipient)):
        raise KHQRError(f"EVM recipient must be a 20-byte hex address, got {q.evm_recipient!r}")
    if q.evm_recipient is not None and int(_strip0x(q.evm_recipient), 16) == 0:
        raise KHQRError("EVM recipient must not be the zero address")
    if q.is_merchant and q.account_information is not None:
        raise KHQRError("account information belongs to individual QRs; merchant QRs carry a merchant id")
    for name in ("created_ms", "expires_ms"):
        v = getattr(q, name)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v <= 0):
            raise KHQRError(f"{name} must be a positive integer of milliseconds, got {v!r}")
    if q.expires_ms is not None and (q.created_ms is None or q.expires_ms <= q.created_ms):
        raise KHQRError("expiry needs a creation time before it")


def _strip0x(address: str) -> str:
    return address[2:].lower() if address[:2] in ("0x", "0X") else address.lower()


def encode(q: KHQR) -> str:
    """Encodes `q` in the field order of Bakong's SDKs and appends the CRC."""
    _check(q)
    account = tlv("00", q.account_id)
    if q.is_merchant:
        account += tlv("01", q.merchant_id or "")
        if q.acquiring_bank:
            account += tlv("02", q.acquiring_bank)
        account_tag = TAG_MERCHANT
    else:
        if q.account_information:
            account += tlv("01", q.account_information)
        if q.acquiring_bank:
            account += tlv("02", q.acquiring_bank)
        account_tag = TAG_INDIVIDUAL
    out = tlv(TAG_PAYLOAD_FORMAT, "01")
    out += tlv(TAG_POINT_OF_INITIATION, DYNAMIC if q.is_dynamic else STATIC)
    out += tlv(account_tag, account)
    out += tlv(TAG_MCC, q.mcc)
    out += tlv(TAG_CURRENCY, q.currency.code)
    if q.amount is not None:
        out += tlv(TAG_AMOUNT, format_amount(q.amount, q.currency))
    out += tlv(TAG_COUNTRY, codes.BAKONG_COUNTRY)
    out += tlv(TAG_NAME, q.merchant_name)
    out += tlv(TAG_CITY, q.merchant_city)
    extra = ""
    for sub, value in (
        (SUB_STORE_LABEL, q.store_label),
        (SUB_MOBILE, q.mobile_number),
        (SUB_BILL_NUMBER, q.bill_number),
        (SUB_TERMINAL_LABEL, q.terminal_label),
        (SUB_PURPOSE, q.purpose),
    ):
        if value:
            extra += tlv(sub, value)
    if q.evm_recipient is not None:
        extra += tlv(SUB_EVM_TEMPLATE, tlv("00", EVM_TEMPLATE_ID) + tlv("01", _strip0x(q.evm_recipient)))
    if extra:
        out += tlv(TAG_ADDITIONAL, extra)
    if q.created_ms is not None:
        stamps = tlv("00", str(q.created_ms))
        if q.expires_ms is not None:
            stamps += tlv("01", str(q.expires_ms))
        out += tlv(TAG_TIMESTAMP, stamps)
    return with_crc(out)


def with_crc(body: str) -> str:
    """Appends "6304" and the CRC over everything before it, upper-case hex."""
    body += TAG_CRC + "04"
    return body + f"{crc16(body.encode('utf-8')):04X}"


def verify_crc(khqr: str) -> bool:
    """True when `khqr` ends in a tag-63 CRC, four upper-case hex digits, that matches the rest."""
    return _crc_defect(khqr) is None


def _crc_defect(khqr: str) -> str | None:
    """Why the tag-63 CRC at the end of `khqr` is missing, malformed or wrong (None when it is right).
    `int(x, 16)` alone would take "0xBA", "+0BA", "0_BA", " 0BA", lower case and non-ASCII digits."""
    if not isinstance(khqr, str) or len(khqr) < 8 or khqr[-8:-4] != TAG_CRC + "04":
        return "KHQR has no CRC (tag 63, length 04) at its end"
    text = khqr[-4:]
    if not _CRC_HEX.fullmatch(text):
        return f"tag 63 (CRC) must be four upper-case hex digits, got {text!r}"
    expected = crc16(khqr[:-4].encode("utf-8", errors="surrogatepass"))
    if int(text, 16) != expected:
        return f"tag 63 (CRC) is {text}, the payload's CRC is {expected:04X}"
    return None


def decode(khqr: str) -> KHQR:
    """Parses and validates a KHQR string; raises KHQRError (naming the tag) on any defect, CRC first.

    Strict where EMVCo is: printable ASCII, 4-digit ASCII headers, lengths exactly as declared
    (01..99), only the tags this codec knows, every value in the form the encoder writes. The one
    freedom kept is the order of fields (EMVCo fixes only 00 first and 63 last) and the trailing zeros
    of an amount's decimals ("1.0"); every other string that decodes re-encodes to itself.
    """
    defect = _crc_defect(khqr)
    if defect is not None:
        raise KHQRError(defect)
    fields = parse_tlv(khqr[:-8])
    if not fields or fields[0] != (TAG_PAYLOAD_FORMAT, "01"):
        raise KHQRError("KHQR must start with payload format indicator 01")
    top = _unique(fields, "", TOP_TAGS)
    initiation = top.get(TAG_POINT_OF_INITIATION)
    if initiation not in (STATIC, DYNAMIC):
        raise KHQRError(f"tag 01: point of initiation must be 11 or 12, got {initiation!r}")
    if (TAG_INDIVIDUAL in top) == (TAG_MERCHANT in top):
        raise KHQRError("KHQR needs exactly one of tag 29 (individual) or 30 (merchant)")
    is_merchant = TAG_MERCHANT in top
    account_tag = TAG_MERCHANT if is_merchant else TAG_INDIVIDUAL
    account = _template(top[account_tag], account_tag, ACCOUNT_TAGS)
    if "00" not in account:
        raise KHQRError(f"tag {account_tag} has no Bakong account id (sub-tag 00)")
    if is_merchant and "01" not in account:
        raise KHQRError("tag 30: merchant QR has no merchant id (sub-tag 01)")
    for tag in (TAG_MCC, TAG_CURRENCY, TAG_COUNTRY, TAG_NAME, TAG_CITY):
        if tag not in top:
            raise KHQRError(f"KHQR has no tag {tag}")
    if top[TAG_COUNTRY] != codes.BAKONG_COUNTRY:
        raise KHQRError(f"tag 58: country must be {codes.BAKONG_COUNTRY}, got {top[TAG_COUNTRY]!r}")
    if not _DIGITS.fullmatch(top[TAG_CURRENCY]) or len(top[TAG_CURRENCY]) != 3:
        raise KHQRError(f"tag 53: currency must be 3 digits, got {top[TAG_CURRENCY]!r}")
    currency = Currency.parse(int(top[TAG_CURRENCY]))
    amount = _field(parse_amount, TAG_AMOUNT, top[TAG_AMOUNT], currency) if TAG_AMOUNT in top else None
    if initiation == DYNAMIC and amount is None:
        raise KHQRError("tag 01: dynamic KHQR (12) must carry an amount (tag 54)")
    if initiation == STATIC and amount is not None:
        raise KHQRError("tag 54: a static KHQR (11) carries no amount; a request with one is dynamic (12)")
    extra = _template(top[TAG_ADDITIONAL], TAG_ADDITIONAL, ADDITIONAL_TAGS) if TAG_ADDITIONAL in top else {}
    evm = None
    if SUB_EVM_TEMPLATE in extra:
        template = _template(extra[SUB_EVM_TEMPLATE], "62/50", EVM_TAGS)
        if template.get("00") != EVM_TEMPLATE_ID or "01" not in template:
            raise KHQRError("tag 62/50 is not an EVM recipient template")
        if not _HEX_ADDRESS.fullmatch(template["01"]):
            raise KHQRError(f"tag 62/50/01 must be 40 lower-case hex digits, got {template['01']!r}")
        evm = "0x" + template["01"]
    stamps = _template(top[TAG_TIMESTAMP], TAG_TIMESTAMP, TIMESTAMP_TAGS) if TAG_TIMESTAMP in top else {}
    for key in ("00", "01"):
        if key in stamps and not _NUMBER.fullmatch(stamps[key]):
            raise KHQRError(
                f"tag 99/{key}: timestamp must be digits without leading zeros, got {stamps[key]!r}"
            )
    q = KHQR(
        account_id=account["00"],
        merchant_name=top[TAG_NAME],
        merchant_city=top[TAG_CITY],
        currency=currency,
        amount=amount,
        mcc=top[TAG_MCC],
        merchant_id=account.get("01") if is_merchant else None,
        acquiring_bank=account.get("02"),
        account_information=None if is_merchant else account.get("01"),
        bill_number=extra.get(SUB_BILL_NUMBER),
        mobile_number=extra.get(SUB_MOBILE),
        store_label=extra.get(SUB_STORE_LABEL),
        terminal_label=extra.get(SUB_TERMINAL_LABEL),
        purpose=extra.get(SUB_PURPOSE),
        evm_recipient=evm,
        created_ms=int(stamps["00"]) if "00" in stamps else None,
        expires_ms=int(stamps["01"]) if "01" in stamps else None,
    )
    _check(q)
    return q


def _field(parse: Callable[[str, Currency], int], tag: str, text: str, currency: Currency) -> int:
    """`parse(text, currency)` with the tag named in its error."""
    try:
        return parse(text, currency)
    except KHQRError as exc:
        raise KHQRError(f"tag {tag}: {exc}") from exc
