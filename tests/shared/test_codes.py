"""corridor.codes: the one registry of currencies, KYC tiers and jurisdictions."""

from decimal import Decimal

import pytest

from corridor import codes
from corridor.bridge.attest import CURRENCY_CODES
from corridor.bridge.khqr import Currency, KHQRError
from corridor.codes import CodeError, Tier, by_alpha, by_number, currency, jurisdiction, tier


@pytest.mark.parametrize(
    "alpha, number, decimals, token",
    [("USD", 840, 2, "bUSD"), ("KHR", 116, 0, "bKHR"), ("JPY", 392, 0, "JPYS"), ("THB", 764, 2, "bTHB")],
)
def test_rows_by_number_and_by_alpha(alpha, number, decimals, token):
    row = by_alpha(alpha)
    assert row is by_number(number) is currency(str(number)) is currency(alpha.lower())
    assert (row.number, row.decimals, row.token, row.code) == (number, decimals, token, f"{number:03d}")


def test_the_book_names_of_a_currency():
    assert (currency("KHR").book_name, currency("KHR").feed, currency("KHR").pool) == (
        "bKHR",
        "FXFeed KHR/USD",
        "FXPool KHR/USD",
    )
    assert currency("JPY").book_name == "JPYStablecoin" and not currency("JPY").bridged
    assert currency("USD").is_hub and currency("THB").feed_description == "THB / USD"
    assert codes.by_token("bTHB") is codes.by_token("bTHB") is currency("THB")
    with pytest.raises(CodeError, match="no corridor token"):
        codes.by_token("bEUR")


@pytest.mark.parametrize("value", ["EUR", 978, "978", "", " USD", "US", "８４０", True, 840.0, None])
def test_unknown_currencies_are_refused_naming_the_known_ones(value):
    with pytest.raises(CodeError, match="unsupported currency .*USD/840"):
        currency(value)


@pytest.mark.parametrize("value", ["840", 840, None])
def test_by_alpha_takes_only_alpha_codes(value):
    with pytest.raises(CodeError):
        by_alpha(value)


def test_bakong_currencies_are_the_bridged_rows():
    assert [c.name for c in Currency] == [c.alpha for c in codes.bridged()] == ["KHR", "USD", "THB"]
    assert CURRENCY_CODES == {"KHR": 116, "USD": 840, "THB": 764}
    assert Currency.THB.decimals == 2 and Currency.THB.row is currency(764)
    with pytest.raises(KHQRError, match="unsupported currency 'JPY'"):
        Currency.parse("JPY")  # a corridor currency, but not one Bakong settles


@pytest.mark.parametrize(
    "alpha, minor, major, text",
    [
        ("USD", 1234, Decimal("12.34"), "12.34 USD"),
        ("KHR", 4_100_000, Decimal(4_100_000), "4,100,000 KHR"),
        ("THB", 123_456_78, Decimal("123456.78"), "123,456.78 THB"),
        ("USD", 5, Decimal("0.05"), "0.05 USD"),
    ],
)
def test_minor_units_to_decimal_and_back(alpha, minor, major, text):
    row = currency(alpha)
    assert row.to_major(minor) == major and row.to_minor(major) == minor
    assert row.to_minor(str(major)) == minor and row.format(minor) == text


@pytest.mark.parametrize(
    "alpha, amount",
    [
        ("USD", Decimal("12.345")),
        ("KHR", "0.5"),
        ("USD", 1.5),
        ("USD", "abc"),
        ("USD", "Infinity"),
        ("THB", True),
    ],
)
def test_amounts_finer_than_the_minor_unit_or_not_decimal_are_refused(alpha, amount):
    with pytest.raises(CodeError):
        currency(alpha).to_minor(amount)


def test_to_major_takes_an_int():
    with pytest.raises(CodeError):
        currency("USD").to_major(Decimal(1))


def test_tiers_by_number_and_name():
    assert tier(1) is tier("retail") is tier("RETAIL") is Tier.RETAIL
    assert int(tier("institutional")) == 4
    for bad in (5, -1, "vip", True, None):
        with pytest.raises(CodeError, match="unknown KYC tier"):
            tier(bad)


def test_jurisdictions_by_number_and_alpha2():
    assert jurisdiction("KH") == jurisdiction(116) == jurisdiction("116") == codes.CAMBODIA == 116
    assert (codes.JAPAN, codes.UNITED_STATES, codes.THAILAND) == (392, 840, 764)
    for bad in ("XX", 999, "", None):
        with pytest.raises(CodeError, match="unknown jurisdiction"):
            jurisdiction(bad)
