"""The worked example of docs/rfq.md §1 (known answer): an outside maker can check its signer against it."""

from eth_account import Account

from corridor import eip712
from corridor.exchange import rfq

KEY = "0x" + "11" * 32
VENUE = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
QUOTE = rfq.Quote(
    maker="0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A",
    taker=rfq.ZERO_ADDRESS,
    token_in="0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    token_out="0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
    amount_in=100_000,
    amount_out=270_000_000,
    nonce=261,
    expiry=1_790_000_000,
)


def test_example_maker_is_the_key_address():
    assert Account.from_key(KEY).address == QUOTE.maker


def test_example_typehashes():
    assert eip712.type_hash(rfq.QUOTE_TYPE, rfq.QUOTE_FIELDS).hex() == (
        "5452af5e0c2f659422295e96476b2fa367c1ad906e9a6173b3261db2fc4d92de"
    )
    assert eip712.type_hash(rfq.CROSS_QUOTE_TYPE, rfq.CROSS_QUOTE_FIELDS).hex() == (
        "429d5e8a520dcd9f20ef644950d8fd2c85ec11dc16720e5976f5c2b5b7591102"
    )


def test_example_digest_and_signature():
    signed = rfq.sign_quote(KEY, rfq.venue_domain(31337, VENUE), QUOTE)
    assert signed.digest.hex() == "147fc28522d60913d961d4d1ab5a96351a38ef43b7f65144990f940a8cce09a6"
    assert signed.signature.hex() == (
        "bb63a9f0fcabab25ff273d5c3d09c0750d03512a3863661fd1df2d039729f2ee"
        "371db47b670040d7ff57539996125cc09aacb0e7770ad7f1b57d7aba857c4f121c"
    )


def test_example_nonce_position():
    assert rfq.nonce_position(QUOTE.nonce) == (1, 5)


def test_example_fill_amounts():
    assert rfq.exact_in(100_000, 270_000_000, 100_000, 5) == (269_865_000, 135_000)
    assert rfq.exact_out(100_000, 270_000_000, 1_000_000, 5) == (371, 501)
