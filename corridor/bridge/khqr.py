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
from dataclasses import dataclass
from enum import Enum, IntEnum

ACCOUNT_ID_MIN = 3
ACCOUNT_ID_MAX = 32
ACCOUNT_ID_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_.-")
"""The bytes a Bakong account id may hold besides its single '@'."""
_AMOUNT = re.compile(r"^(\d+)(?:\.(\d{1,2}))?$")
_HEX_ADDRESS = re.compile(r"^[0-9a-f]{40}$")
_DIGITS = re.compile(r"^\d+$")

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


class Currency(Enum):
    """Bakong currencies by ISO 4217 numeric code; `decimals` is the minor unit (riel is whole)."""

    KHR = 116
    USD = 840

    @property
    def decimals(self) -> int:
        return 0 if self is Currency.KHR else 2

    @property
    def code(self) -> str:
        """The 3-digit value of tag 53."""
        return f"{self.value:03d}"

    @classmethod
    def parse(cls, value: str | int | Currency) -> Currency:
        """Accepts a Currency, its name ("KHR") or its numeric code (116 / "116")."""
        if isinstance(value, Currency):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            for c in cls:
                if c.value == value:
                    return c
        if isinstance(value, str):
            if value.upper() in cls.__members__:
                return cls[value.upper()]
            if _DIGITS.match(value):
                return cls.parse(int(value))
        raise KHQRError(f"unsupported currency {value!r} (KHR/116 or USD/840)")


def account_id_fault(account_id: str | bytes) -> tuple[AccountIdFault, int] | None:
    """The first rule `account_id` breaks and the byte index (the length for TOO_SHORT, TOO_LONG and
    NO_AT_SIGN), or None for a valid id. The one statement of the rule off chain; it walks the UTF-8 bytes
    exactly as `BakongBridge._parseBakongAccountId` does (tests/bridge/test_account_ids.py checks both agree)."""
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
    if currency.decimals == 0:
        text = str(amount)
    else:
        whole, cents = divmod(amount, 100)
        text = str(whole) if cents == 0 else f"{whole}.{cents:02d}".rstrip("0")
    if len(text) > MAX_AMOUNT_CHARS:
        raise KHQRError(f"amount {text} is longer than {MAX_AMOUNT_CHARS} characters")
    return text


def parse_amount(text: str, currency: Currency) -> int:
    """Tag-54 text to minor units, exactly: riel must be whole, dollars have at most 2 decimals."""
    m = _AMOUNT.match(text)
    if not m or len(text) > MAX_AMOUNT_CHARS:
        raise KHQRError(f"malformed amount {text!r}")
    whole, frac = int(m.group(1)), (m.group(2) or "")
    if currency.decimals == 0:
        if frac.strip("0"):
            raise KHQRError(f"KHR moves in whole riel, got {text!r}")
        value = whole
    else:
        value = whole * 100 + int(frac.ljust(2, "0") or "0")
    if value <= 0:
        raise KHQRError(f"amount must be positive, got {text!r}")
    return value


def tlv(tag: str, value: str) -> str:
    """One field: 2-digit tag, 2-digit length (characters), value."""
    if len(tag) != 2 or not tag.isdigit():
        raise KHQRError(f"tag must be two digits, got {tag!r}")
    if not value:
        raise KHQRError(f"tag {tag} must not be empty")
    if len(value) > 99:
        raise KHQRError(f"tag {tag} is {len(value)} characters, at most 99")
    return f"{tag}{len(value):02d}{value}"


def parse_tlv(data: str) -> list[tuple[str, str]]:
    """Splits a TLV list into (tag, value) pairs, refusing truncated or non-numeric headers."""
    fields: list[tuple[str, str]] = []
    i = 0
    while i < len(data):
        header = data[i : i + 4]
        if len(header) < 4 or not header.isdigit():
            raise KHQRError(f"malformed TLV header {header!r} at offset {i}")
        tag, length = header[:2], int(header[2:])
        value = data[i + 4 : i + 4 + length]
        if len(value) != length:
            raise KHQRError(f"tag {tag} declares {length} characters, {len(value)} remain")
        fields.append((tag, value))
        i += 4 + length
    return fields


def _unique(fields: list[tuple[str, str]], where: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag, value in fields:
        if tag in out:
            raise KHQRError(f"tag {tag} appears twice in {where}")
        out[tag] = value
    return out


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
    if not _DIGITS.match(q.mcc) or len(q.mcc) != 4:
        raise KHQRError(f"merchant category code must be 4 digits, got {q.mcc!r}")
    if q.amount is not None:
        format_amount(q.amount, q.currency)
    if q.evm_recipient is not None and not _HEX_ADDRESS.match(_strip0x(q.evm_recipient)):
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
    out += tlv(TAG_COUNTRY, "KH")
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
    """True when `khqr` ends in a tag-63 CRC that matches the rest of the string (hex case-insensitive)."""
    if len(khqr) < 8 or khqr[-8:-4] != TAG_CRC + "04":
        return False
    try:
        return int(khqr[-4:], 16) == crc16(khqr[:-4].encode("utf-8"))
    except ValueError:
        return False


def decode(khqr: str) -> KHQR:
    """Parses and validates a KHQR string; raises KHQRError on any defect, CRC first."""
    if not isinstance(khqr, str) or not verify_crc(khqr):
        raise KHQRError("KHQR CRC is missing or does not match")
    fields = parse_tlv(khqr[:-8])
    if not fields or fields[0] != (TAG_PAYLOAD_FORMAT, "01"):
        raise KHQRError("KHQR must start with payload format indicator 01")
    top = _unique(fields, "KHQR")
    initiation = top.get(TAG_POINT_OF_INITIATION)
    if initiation not in (STATIC, DYNAMIC):
        raise KHQRError(f"point of initiation must be 11 or 12, got {initiation!r}")
    if (TAG_INDIVIDUAL in top) == (TAG_MERCHANT in top):
        raise KHQRError("KHQR needs exactly one of tag 29 (individual) or 30 (merchant)")
    is_merchant = TAG_MERCHANT in top
    account = _unique(parse_tlv(top[TAG_MERCHANT if is_merchant else TAG_INDIVIDUAL]), "account template")
    if "00" not in account:
        raise KHQRError("account template has no Bakong account id (sub-tag 00)")
    if is_merchant and "01" not in account:
        raise KHQRError("merchant QR has no merchant id (sub-tag 01)")
    for tag in (TAG_MCC, TAG_CURRENCY, TAG_COUNTRY, TAG_NAME, TAG_CITY):
        if tag not in top:
            raise KHQRError(f"KHQR has no tag {tag}")
    if top[TAG_COUNTRY] != "KH":
        raise KHQRError(f"country must be KH, got {top[TAG_COUNTRY]!r}")
    currency = Currency.parse(top[TAG_CURRENCY]) if len(top[TAG_CURRENCY]) == 3 else None
    if currency is None:
        raise KHQRError(f"currency must be 3 digits, got {top[TAG_CURRENCY]!r}")
    amount = parse_amount(top[TAG_AMOUNT], currency) if TAG_AMOUNT in top else None
    if initiation == DYNAMIC and amount is None:
        raise KHQRError("dynamic KHQR (12) must carry an amount")
    extra = _unique(parse_tlv(top[TAG_ADDITIONAL]), "tag 62") if TAG_ADDITIONAL in top else {}
    evm = None
    if SUB_EVM_TEMPLATE in extra:
        template = _unique(parse_tlv(extra[SUB_EVM_TEMPLATE]), "EVM template")
        if template.get("00") != EVM_TEMPLATE_ID or "01" not in template:
            raise KHQRError("tag 62/50 is not an EVM recipient template")
        evm = "0x" + template["01"]
    stamps = _unique(parse_tlv(top[TAG_TIMESTAMP]), "tag 99") if TAG_TIMESTAMP in top else {}
    for key in ("00", "01"):
        if key in stamps and not _DIGITS.match(stamps[key]):
            raise KHQRError(f"timestamp 99/{key} must be digits, got {stamps[key]!r}")
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
