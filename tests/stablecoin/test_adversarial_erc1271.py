"""Hostile ERC-1271 wallets against the token's permit and EIP-3009 paths and the registry's signed reserve
attestations: every wrong answer is refused with the path's own error and changes nothing; a wallet cannot
act from inside its signature check (STATICCALL); a wallet that vouches for everything is still bound by the
nonce and by compliance."""

import brownie
import pytest
from brownie import accounts, chain

from corridor.stablecoin import signing

PERMIT_BYTES = "address,address,uint256,uint256,bytes"
AUTH_BYTES = "address,address,uint256,uint256,uint256,bytes32,bytes"
CANCEL_BYTES = "address,bytes32,bytes"
NONCE = b"\x17" * 32
MAX = 2**256 - 1

# AdversarialERC1271Wallet modes
BURN_GAS, RETURN_BOMB, REENTER, ALWAYS_VALID, MAGIC_LONG, DIRTY_MAGIC = range(6)
# MockBadERC1271Wallet modes
WRONG_MAGIC, REVERTS, NO_DATA, SHORT_DATA = range(4)
GRIEF_GAS = 2_000_000  # enough that the 1/64 kept back by the caller can still revert cleanly

BAD_WALLETS = [
    ("bad", WRONG_MAGIC),
    ("bad", REVERTS),
    ("bad", NO_DATA),
    ("bad", SHORT_DATA),
    ("adv", DIRTY_MAGIC),
    ("adv", RETURN_BOMB),
    ("adv", BURN_GAS),
]
BAD_IDS = ["wrong-magic", "reverts", "no-data", "short-data", "dirty-magic", "return-bomb", "burns-gas"]


@pytest.fixture(scope="module")
def domain(token):
    return signing.token_domain(token.name(), chain.id, token.address)


@pytest.fixture(scope="module")
def stranger_key():
    """A key that is nobody's: what a hostile submitter signs with."""
    return accounts.add()


@pytest.fixture(scope="module")
def adv(AdversarialERC1271Wallet, token, registry, operator, bank_a, admin):
    """A verified, funded adversarial wallet (mode set per test)."""
    w = AdversarialERC1271Wallet.deploy({"from": admin})
    token.setKyc(w, 1, 392, {"from": operator})
    registry.mint(1, w, 10_000, b"\1" * 32, {"from": bank_a})
    return w


@pytest.fixture(scope="module")
def bad(MockBadERC1271Wallet, token, registry, operator, bank_a, admin):
    w = MockBadERC1271Wallet.deploy({"from": admin})
    token.setKyc(w, 1, 392, {"from": operator})
    registry.mint(1, w, 10_000, b"\1" * 32, {"from": bank_a})
    return w


def _wallet(kind, mode, adv, bad, admin):
    if kind == "adv":
        adv.setMode(mode, brownie.ZERO_ADDRESS, b"", {"from": admin})
        return adv
    bad.setMode(mode, {"from": admin})
    return bad


def _tx(sender):
    return {"from": sender, "gas_limit": GRIEF_GAS}


def deadline():
    return chain[-1].timestamp + 3_600


# ------------------------------------------------------------------ wrong answers are refused


@pytest.mark.parametrize("kind,mode", BAD_WALLETS, ids=BAD_IDS)
def test_permit_with_a_wrongly_answering_wallet_reverts(
    token, domain, adv, bad, admin, bob, stranger_key, kind, mode
):
    wallet = _wallet(kind, mode, adv, bad, admin)
    d = deadline()
    sig = signing.sign_permit(stranger_key.private_key, domain, wallet.address, bob.address, 900, 0, d)
    with brownie.reverts(f"ERC2612InvalidSigner: {stranger_key.address.lower()}, {wallet.address.lower()}"):
        token.permit[PERMIT_BYTES](wallet, bob, 900, d, sig.packed, _tx(bob))
    assert token.allowance(wallet, bob) == 0
    assert token.nonces(wallet) == 0


@pytest.mark.parametrize("kind,mode", BAD_WALLETS, ids=BAD_IDS)
def test_transfer_with_authorization_from_a_wrongly_answering_wallet_reverts(
    token, domain, adv, bad, admin, bob, merchant, stranger_key, kind, mode
):
    wallet = _wallet(kind, mode, adv, bad, admin)
    before = deadline()
    sig = signing.sign_transfer_authorization(
        stranger_key.private_key, domain, wallet.address, merchant.address, 400, 0, before, NONCE
    )
    with brownie.reverts(f"InvalidSignature: {wallet.address.lower()}"):
        token.transferWithAuthorization[AUTH_BYTES](
            wallet, merchant, 400, 0, before, NONCE, sig.packed, _tx(bob)
        )
    assert token.balanceOf(wallet) == 10_000
    assert not token.authorizationState(wallet, NONCE)


@pytest.mark.parametrize("kind,mode", BAD_WALLETS, ids=BAD_IDS)
def test_receive_with_authorization_from_a_wrongly_answering_wallet_reverts(
    token, domain, adv, bad, admin, merchant, stranger_key, kind, mode
):
    wallet = _wallet(kind, mode, adv, bad, admin)
    before = deadline()
    sig = signing.sign_receive_authorization(
        stranger_key.private_key, domain, wallet.address, merchant.address, 400, 0, before, NONCE
    )
    with brownie.reverts(f"InvalidSignature: {wallet.address.lower()}"):
        token.receiveWithAuthorization[AUTH_BYTES](
            wallet, merchant, 400, 0, before, NONCE, sig.packed, _tx(merchant)
        )
    assert token.balanceOf(merchant) == 0


@pytest.mark.parametrize("kind,mode", BAD_WALLETS, ids=BAD_IDS)
def test_cancel_authorization_of_a_wrongly_answering_wallet_reverts(
    token, domain, adv, bad, admin, bob, stranger_key, kind, mode
):
    """Nobody can burn a wallet's authorization nonce with a signature the wallet does not accept."""
    wallet = _wallet(kind, mode, adv, bad, admin)
    sig = signing.sign_cancel_authorization(stranger_key.private_key, domain, wallet.address, NONCE)
    with brownie.reverts(f"InvalidSignature: {wallet.address.lower()}"):
        token.cancelAuthorization[CANCEL_BYTES](wallet, NONCE, sig.packed, _tx(bob))
    assert not token.authorizationState(wallet, NONCE)


@pytest.mark.parametrize("kind,mode", BAD_WALLETS, ids=BAD_IDS)
def test_signed_reserve_attestation_from_a_wrongly_answering_attestor_reverts(
    registry, adv, bad, admin, stranger, stranger_key, kind, mode
):
    wallet = _wallet(kind, mode, adv, bad, admin)
    registry.grantRole(registry.ATTESTOR_ROLE(), wallet, {"from": admin})
    chain.sleep(5)
    chain.mine()
    t = chain[-1].timestamp
    domain = signing.registry_domain(chain.id, registry.address)
    reserve_before = registry.issuer(1)["reserve"]
    sig = signing.sign_reserve_attestation(stranger_key.private_key, domain, 1, 10**12, t)
    with brownie.reverts(f"InvalidAttestationSignature: {wallet.address.lower()}"):
        registry.attestReserveWithSignature(1, 10**12, t, wallet, sig.packed, _tx(stranger))
    assert registry.issuer(1)["reserve"] == reserve_before


def test_gas_burning_wallet_costs_the_submitter_its_gas(token, domain, adv, admin, bob, stranger_key):
    """Known limit (as with OpenZeppelin's SignatureChecker): the check forwards all but 1/64 of the gas, so a
    wallet that loops burns what the submitter offered. Relayers should simulate (eth_call) first."""
    adv.setMode(BURN_GAS, brownie.ZERO_ADDRESS, b"", {"from": admin})
    d = deadline()
    sig = signing.sign_permit(stranger_key.private_key, domain, adv.address, bob.address, 1, 0, d)
    balance = bob.balance()
    with brownie.reverts(revert_pattern=r"ERC2612InvalidSigner.*"):
        token.permit[PERMIT_BYTES](adv, bob, 1, d, sig.packed, _tx(bob))
    tx = brownie.history[-1]
    assert tx.gas_used > GRIEF_GAS * 63 // 64 - 50_000
    assert bob.balance() <= balance


# ------------------------------------------------------------------ a wallet cannot act from inside its check


def test_wallet_cannot_change_state_from_inside_its_signature_check(
    token, domain, adv, admin, bob, stranger, stranger_key
):
    """The wallet tries to approve a stranger while the token asks it about a permit, then answers "valid":
    the permit (which it vouched for) takes effect, the side effect does not (the check is a STATICCALL)."""
    adv.setMode(REENTER, token, token.approve.encode_input(stranger, MAX), {"from": admin})
    d = deadline()
    sig = signing.sign_permit(stranger_key.private_key, domain, adv.address, bob.address, 900, 0, d)
    token.permit[PERMIT_BYTES](adv, bob, 900, d, sig.packed, {"from": bob})
    assert token.allowance(adv, bob) == 900
    assert token.allowance(adv, stranger) == 0


def test_wallet_cannot_move_funds_from_inside_an_authorization_check(
    token, domain, adv, admin, bob, merchant, stranger, stranger_key
):
    adv.setMode(REENTER, token, token.transfer.encode_input(stranger, 5_000), {"from": admin})
    before = deadline()
    sig = signing.sign_transfer_authorization(
        stranger_key.private_key, domain, adv.address, merchant.address, 400, 0, before, NONCE
    )
    token.transferWithAuthorization[AUTH_BYTES](
        adv, merchant, 400, 0, before, NONCE, sig.packed, {"from": bob}
    )
    assert token.balanceOf(merchant) == 400
    assert token.balanceOf(adv) == 9_600
    assert token.balanceOf(stranger) == 0


# ------------------------------------------------------------------ a wallet that vouches for anything


def test_magic_value_followed_by_extra_data_is_accepted(token, domain, adv, admin, bob, stranger_key):
    """Same acceptance rule as OpenZeppelin's SignatureChecker: at least 32 bytes, first word the magic value."""
    adv.setMode(MAGIC_LONG, brownie.ZERO_ADDRESS, b"", {"from": admin})
    d = deadline()
    sig = signing.sign_permit(stranger_key.private_key, domain, adv.address, bob.address, 5, 0, d)
    token.permit[PERMIT_BYTES](adv, bob, 5, d, sig.packed, {"from": bob})
    assert token.allowance(adv, bob) == 5


def test_always_valid_wallet_authorization_is_still_single_use(
    token, domain, adv, admin, bob, merchant, stranger_key
):
    """A wallet that says "valid" to every hash trusts anyone with its funds (its own choice under ERC-1271), but
    the token still refuses a second use of the same authorization nonce."""
    adv.setMode(ALWAYS_VALID, brownie.ZERO_ADDRESS, b"", {"from": admin})
    before = deadline()
    garbage = b"\x01" * 65
    token.transferWithAuthorization[AUTH_BYTES](adv, merchant, 400, 0, before, NONCE, garbage, {"from": bob})
    assert token.balanceOf(merchant) == 400
    with brownie.reverts(revert_pattern=rf"AuthorizationAlreadyUsed: {adv.address.lower()}, .*"):
        token.transferWithAuthorization[AUTH_BYTES](
            adv, merchant, 400, 0, before, NONCE, garbage, {"from": bob}
        )


def test_always_valid_wallet_is_still_bound_by_compliance(token, adv, admin, bob, merchant, operator):
    """Signatures authorize, compliance decides: a frozen wallet's vouching moves nothing."""
    adv.setMode(ALWAYS_VALID, brownie.ZERO_ADDRESS, b"", {"from": admin})
    token.freeze(adv, {"from": operator})
    with brownie.reverts(f"AccountFrozen: {adv.address.lower()}"):
        token.transferWithAuthorization[AUTH_BYTES](
            adv, merchant, 400, 0, deadline(), NONCE, b"\x01" * 65, {"from": bob}
        )
    assert token.balanceOf(adv) == 10_000
