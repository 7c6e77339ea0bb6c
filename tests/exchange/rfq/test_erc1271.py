"""Contract-wallet makers (ERC-1271): accepted when the wallet says so, refused on any bad answer."""

import brownie
import pytest
from brownie import accounts

from corridor.exchange import rfq

MAX = 2**256 - 1


@pytest.fixture(scope="module")
def owner(admin):
    account = accounts.add()
    admin.transfer(account, "1 ether")
    return account


@pytest.fixture(scope="module")
def wallet(MockERC1271Wallet, venue, owner, operator, khr, admin):
    w = MockERC1271Wallet.deploy(owner, {"from": admin})
    khr.mint(w, 10**12, {"from": admin})
    w.execute(khr, khr.approve.encode_input(venue, MAX), {"from": owner})
    venue.registerMaker(w, {"from": operator})
    return w


@pytest.fixture(scope="module")
def bad_wallet(MockBadERC1271Wallet, venue, operator, khr, admin):
    w = MockBadERC1271Wallet.deploy({"from": admin})
    khr.mint(w, 10**12, {"from": admin})
    w.approve(khr, venue, MAX, {"from": admin})
    venue.registerMaker(w, {"from": operator})
    return w


def test_wallet_maker_quote_fills(venue, wallet, owner, make_quote, domain, fill_in, khr, alice):
    signed = rfq.sign_quote(owner.private_key, domain, make_quote(maker=wallet.address))
    before = khr.balanceOf(wallet)
    tx = fill_in(signed, 100_000)
    assert khr.balanceOf(wallet) == before - tx.return_value
    assert tx.events["QuoteFilled"]["maker"] == wallet


def test_wallet_rejecting_the_signer_reverts(venue, wallet, make_quote, domain, fill_in):
    signed = rfq.sign_quote(accounts.add().private_key, domain, make_quote(maker=wallet.address))
    with brownie.reverts(f"InvalidSignature: {wallet.address.lower()}"):
        fill_in(signed, 10)


@pytest.mark.parametrize("mode", [0, 1, 2, 3], ids=["wrong-magic", "reverts", "no-data", "short-data"])
def test_bad_erc1271_answer_reverts(venue, bad_wallet, make_quote, domain, fill_in, mode, admin):
    bad_wallet.setMode(mode, {"from": admin})
    signed = rfq.sign_quote(accounts.add().private_key, domain, make_quote(maker=bad_wallet.address))
    with brownie.reverts(f"InvalidSignature: {bad_wallet.address.lower()}"):
        fill_in(signed, 10)


def test_wallet_cancels_its_nonce(venue, wallet, owner, make_quote, domain, fill_in):
    signed = rfq.sign_quote(owner.private_key, domain, make_quote(maker=wallet.address, nonce=12))
    wallet.execute(venue, venue.cancelNonce.encode_input(12), {"from": owner})
    assert venue.isNonceUsed(wallet, 12)
    with brownie.reverts(revert_pattern=r"NonceAlreadyUsed.*"):
        fill_in(signed, 10)
