"""EIP-2612 permit and EIP-3009 authorizations, EOA and ERC-1271 signers, both signature forms; a signature is
never usable twice, on another chain, after cancel or after expiry."""

import brownie
import pytest
from brownie import chain

from corridor.eip712 import Domain, type_hash
from corridor.stablecoin import signing

PERMIT_VRS = "address,address,uint256,uint256,uint8,bytes32,bytes32"
PERMIT_BYTES = "address,address,uint256,uint256,bytes"
AUTH_VRS = "address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32"
AUTH_BYTES = "address,address,uint256,uint256,uint256,bytes32,bytes"
CANCEL_VRS = "address,bytes32,uint8,bytes32,bytes32"
CANCEL_BYTES = "address,bytes32,bytes"
NONCE = b"\x42" * 32
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


@pytest.fixture(scope="module")
def domain(token):
    return signing.token_domain(token.name(), chain.id, token.address)


@pytest.fixture(scope="module")
def wallet(ERC1271SignerMock, token, signer, operator, admin):
    """A contract wallet owned by `signer`'s key, verified and funded by `signer`."""
    w = ERC1271SignerMock.deploy(signer, {"from": admin})
    token.setKyc(w, 1, 392, {"from": operator})
    return w


def deadline():
    return chain[-1].timestamp + 3_600


# ------------------------------------------------------------------ typehashes and domain


def test_typehashes_match_python(token):
    assert token.PERMIT_TYPEHASH() == "0x" + type_hash("Permit", signing.PERMIT_FIELDS).hex()
    assert (
        token.TRANSFER_WITH_AUTHORIZATION_TYPEHASH()
        == "0x" + type_hash("TransferWithAuthorization", signing.AUTHORIZATION_FIELDS).hex()
    )
    assert (
        token.RECEIVE_WITH_AUTHORIZATION_TYPEHASH()
        == "0x" + type_hash("ReceiveWithAuthorization", signing.AUTHORIZATION_FIELDS).hex()
    )
    assert (
        token.CANCEL_AUTHORIZATION_TYPEHASH()
        == "0x" + type_hash("CancelAuthorization", signing.CANCEL_FIELDS).hex()
    )


def test_domain_separator_bound_to_chain_and_contract(token, domain):
    from eth_abi import encode
    from eth_utils import keccak

    expected = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                keccak(
                    text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak(text=token.name()),
                keccak(text="1"),
                chain.id,
                token.address,
            ],
        )
    )
    assert token.DOMAIN_SEPARATOR() == "0x" + expected.hex()


# ------------------------------------------------------------------ permit


@pytest.mark.parametrize("form", [PERMIT_VRS, PERMIT_BYTES])
def test_permit_sets_allowance(token, domain, signer, bob, form):
    d = deadline()
    sig = signing.sign_permit(signer.private_key, domain, signer.address, bob.address, 700, 0, d)
    args = [*sig.vrs] if form == PERMIT_VRS else [sig.packed]
    tx = token.permit[form](signer, bob, 700, d, *args, {"from": bob})
    assert token.allowance(signer, bob) == 700
    assert token.nonces(signer) == 1
    assert tx.events["Approval"][0].values() == [signer, bob, 700]


def test_permit_replay_reverts(token, domain, signer, bob):
    d = deadline()
    sig = signing.sign_permit(signer.private_key, domain, signer.address, bob.address, 700, 0, d)
    token.permit[PERMIT_VRS](signer, bob, 700, d, *sig.vrs, {"from": bob})
    with brownie.reverts(revert_pattern=r"ERC2612InvalidSigner: .*"):
        token.permit[PERMIT_VRS](signer, bob, 700, d, *sig.vrs, {"from": bob})


def test_permit_expired_reverts(token, domain, signer, bob):
    d = chain[-1].timestamp - 1
    sig = signing.sign_permit(signer.private_key, domain, signer.address, bob.address, 700, 0, d)
    with brownie.reverts(f"ERC2612ExpiredSignature: {d}"):
        token.permit[PERMIT_VRS](signer, bob, 700, d, *sig.vrs, {"from": bob})


def test_permit_other_chain_reverts(token, domain, signer, bob):
    other = Domain(domain.name, domain.version, domain.chain_id + 1, domain.verifying_contract)
    d = deadline()
    sig = signing.sign_permit(signer.private_key, other, signer.address, bob.address, 700, 0, d)
    with brownie.reverts(revert_pattern=rf"ERC2612InvalidSigner: 0x[0-9a-f]{{40}}, {signer.address.lower()}"):
        token.permit[PERMIT_VRS](signer, bob, 700, d, *sig.vrs, {"from": bob})


def test_permit_wrong_signer_reverts(token, domain, signer, alice, bob):
    d = deadline()
    sig = signing.sign_permit(signer.private_key, domain, alice.address, bob.address, 700, 0, d)
    with brownie.reverts(f"ERC2612InvalidSigner: {signer.address.lower()}, {alice.address.lower()}"):
        token.permit[PERMIT_VRS](alice, bob, 700, d, *sig.vrs, {"from": bob})


def test_permit_malformed_signature_reverts(token, signer, bob):
    """A signature that is not 65 bytes recovers nothing and an EOA has no ERC-1271 fallback:
    ERC2612InvalidSigner(0, owner)."""
    d = deadline()
    zero = brownie.ZERO_ADDRESS.lower()
    with brownie.reverts(f"ERC2612InvalidSigner: {zero}, {signer.address.lower()}"):
        token.permit[PERMIT_BYTES](signer, bob, 700, d, b"\1" * 64, {"from": bob})
    assert token.nonces(signer) == 0


def test_permit_erc1271_owner(token, domain, signer, wallet, bob):
    d = deadline()
    sig = signing.sign_permit(signer.private_key, domain, wallet.address, bob.address, 900, 0, d)
    token.permit[PERMIT_BYTES](wallet, bob, 900, d, sig.packed, {"from": bob})
    assert token.allowance(wallet, bob) == 900


def test_permit_erc1271_wrong_key_reverts(token, domain, wallet, bob, accounts):
    other = accounts.add()
    d = deadline()
    sig = signing.sign_permit(other.private_key, domain, wallet.address, bob.address, 900, 0, d)
    with brownie.reverts(revert_pattern=r"ERC2612InvalidSigner: .*"):
        token.permit[PERMIT_BYTES](wallet, bob, 900, d, sig.packed, {"from": bob})


# ------------------------------------------------------------------ EIP-3009


def _auth(domain, signer, to, value=500, after=0, before=None, nonce=NONCE, receive=False):
    before = deadline() if before is None else before
    fn = signing.sign_receive_authorization if receive else signing.sign_transfer_authorization
    return (signer.address, to.address, value, after, before, nonce), fn(
        signer.private_key, domain, signer.address, to.address, value, after, before, nonce
    )


@pytest.mark.parametrize("form", [AUTH_VRS, AUTH_BYTES])
def test_transfer_with_authorization_moves_funds(token, domain, signer, bob, merchant, form):
    args, sig = _auth(domain, signer, merchant)
    extra = [*sig.vrs] if form == AUTH_VRS else [sig.packed]
    tx = token.transferWithAuthorization[form](*args, *extra, {"from": bob})
    assert token.balanceOf(merchant) == 500
    assert token.authorizationState(signer, NONCE) is True
    assert tx.events["AuthorizationUsed"][0].values() == [signer, "0x" + NONCE.hex()]


def test_transfer_with_authorization_replay_reverts(token, domain, signer, bob, merchant):
    args, sig = _auth(domain, signer, merchant)
    token.transferWithAuthorization[AUTH_VRS](*args, *sig.vrs, {"from": bob})
    with brownie.reverts(revert_pattern=rf"AuthorizationAlreadyUsed: {signer.address.lower()}, .*"):
        token.transferWithAuthorization[AUTH_VRS](*args, *sig.vrs, {"from": bob})


def test_transfer_with_authorization_expired_reverts(token, domain, signer, bob, merchant):
    before = chain[-1].timestamp
    args, sig = _auth(domain, signer, merchant, before=before)
    with brownie.reverts(f"AuthorizationExpired: {before}"):
        token.transferWithAuthorization[AUTH_VRS](*args, *sig.vrs, {"from": bob})


def test_transfer_with_authorization_not_yet_valid_reverts(token, domain, signer, bob, merchant):
    after = chain[-1].timestamp + 1_000
    args, sig = _auth(domain, signer, merchant, after=after)
    with brownie.reverts(f"AuthorizationNotYetValid: {after}"):
        token.transferWithAuthorization[AUTH_VRS](*args, *sig.vrs, {"from": bob})


def test_transfer_with_authorization_other_chain_reverts(token, domain, signer, bob, merchant):
    other = Domain(domain.name, domain.version, domain.chain_id + 1, domain.verifying_contract)
    args, sig = _auth(other, signer, merchant)
    with brownie.reverts(f"InvalidSignature: {signer.address.lower()}"):
        token.transferWithAuthorization[AUTH_VRS](*args, *sig.vrs, {"from": bob})


def test_transfer_with_authorization_tampered_value_reverts(token, domain, signer, bob, merchant):
    args, sig = _auth(domain, signer, merchant)
    tampered = (args[0], args[1], 501, *args[3:])
    with brownie.reverts(f"InvalidSignature: {signer.address.lower()}"):
        token.transferWithAuthorization[AUTH_BYTES](*tampered, sig.packed, {"from": bob})


def test_transfer_with_authorization_malformed_signature_reverts(token, domain, signer, bob, merchant):
    """A signature that is not 65 bytes recovers nothing and an EOA has no ERC-1271 fallback: InvalidSignature."""
    args, _ = _auth(domain, signer, merchant)
    with brownie.reverts(f"InvalidSignature: {signer.address.lower()}"):
        token.transferWithAuthorization[AUTH_BYTES](*args, b"\1" * 64, {"from": bob})
    assert token.authorizationState(signer, NONCE) is False


def test_transfer_with_authorization_high_s_signature_reverts(token, domain, signer, bob, merchant):
    """The malleated twin (n - s, other v) of a valid signature is refused by ECDSA (high s) and an EOA has no
    ERC-1271 fallback: InvalidSignature; the original signature still works afterwards."""
    args, sig = _auth(domain, signer, merchant)
    high_s = (SECP256K1_N - int.from_bytes(sig.s, "big")).to_bytes(32, "big")
    with brownie.reverts(f"InvalidSignature: {signer.address.lower()}"):
        token.transferWithAuthorization[AUTH_VRS](*args, 55 - sig.v, sig.r, high_s, {"from": bob})
    token.transferWithAuthorization[AUTH_VRS](*args, *sig.vrs, {"from": bob})
    assert token.balanceOf(merchant) == 500


def test_transfer_with_authorization_applies_compliance(token, domain, signer, bob, merchant, operator):
    token.freeze(signer, {"from": operator})
    args, sig = _auth(domain, signer, merchant)
    with brownie.reverts(f"AccountFrozen: {signer.address.lower()}"):
        token.transferWithAuthorization[AUTH_VRS](*args, *sig.vrs, {"from": bob})


def test_transfer_with_authorization_erc1271(token, domain, signer, wallet, bob, merchant, registry, bank_a):
    registry.mint(1, wallet, 1_000, b"\1" * 32, {"from": bank_a})
    before = deadline()
    sig = signing.sign_transfer_authorization(
        signer.private_key, domain, wallet.address, merchant.address, 400, 0, before, NONCE
    )
    token.transferWithAuthorization[AUTH_BYTES](
        wallet, merchant, 400, 0, before, NONCE, sig.packed, {"from": bob}
    )
    assert token.balanceOf(merchant) == 400


def test_transfer_with_authorization_erc1271_vrs_form(
    token, domain, signer, wallet, bob, merchant, registry, bank_a
):
    registry.mint(1, wallet, 1_000, b"\1" * 32, {"from": bank_a})
    before = deadline()
    sig = signing.sign_transfer_authorization(
        signer.private_key, domain, wallet.address, merchant.address, 400, 0, before, NONCE
    )
    token.transferWithAuthorization[AUTH_VRS](
        wallet, merchant, 400, 0, before, NONCE, *sig.vrs, {"from": bob}
    )
    assert token.balanceOf(wallet) == 600


@pytest.mark.parametrize("form", [AUTH_VRS, AUTH_BYTES])
def test_receive_with_authorization_by_payee(token, domain, signer, merchant, form):
    args, sig = _auth(domain, signer, merchant, receive=True)
    extra = [*sig.vrs] if form == AUTH_VRS else [sig.packed]
    token.receiveWithAuthorization[form](*args, *extra, {"from": merchant})
    assert token.balanceOf(merchant) == 500


@pytest.mark.parametrize("form", [AUTH_VRS, AUTH_BYTES])
def test_receive_with_authorization_by_other_reverts(token, domain, signer, merchant, bob, form):
    args, sig = _auth(domain, signer, merchant, receive=True)
    extra = [*sig.vrs] if form == AUTH_VRS else [sig.packed]
    with brownie.reverts(f"CallerNotPayee: {bob.address.lower()}, {merchant.address.lower()}"):
        token.receiveWithAuthorization[form](*args, *extra, {"from": bob})


def test_transfer_signature_not_usable_as_receive(token, domain, signer, merchant):
    args, sig = _auth(domain, signer, merchant)
    with brownie.reverts(f"InvalidSignature: {signer.address.lower()}"):
        token.receiveWithAuthorization[AUTH_VRS](*args, *sig.vrs, {"from": merchant})


@pytest.mark.parametrize("form", [CANCEL_VRS, CANCEL_BYTES])
def test_cancel_authorization_blocks_later_use(token, domain, signer, bob, merchant, form):
    args, sig = _auth(domain, signer, merchant)
    cancel = signing.sign_cancel_authorization(signer.private_key, domain, signer.address, NONCE)
    extra = [*cancel.vrs] if form == CANCEL_VRS else [cancel.packed]
    tx = token.cancelAuthorization[form](signer, NONCE, *extra, {"from": bob})
    assert tx.events["AuthorizationCanceled"][0].values() == [signer, "0x" + NONCE.hex()]
    with brownie.reverts(revert_pattern=rf"AuthorizationAlreadyUsed: {signer.address.lower()}, .*"):
        token.transferWithAuthorization[AUTH_VRS](*args, *sig.vrs, {"from": bob})


def test_cancel_used_authorization_reverts(token, domain, signer, bob, merchant):
    args, sig = _auth(domain, signer, merchant)
    token.transferWithAuthorization[AUTH_VRS](*args, *sig.vrs, {"from": bob})
    cancel = signing.sign_cancel_authorization(signer.private_key, domain, signer.address, NONCE)
    with brownie.reverts(revert_pattern=rf"AuthorizationAlreadyUsed: {signer.address.lower()}, .*"):
        token.cancelAuthorization[CANCEL_VRS](signer, NONCE, *cancel.vrs, {"from": bob})


def test_cancel_with_wrong_signer_reverts(token, domain, signer, bob, accounts):
    other = accounts.add()
    cancel = signing.sign_cancel_authorization(other.private_key, domain, signer.address, NONCE)
    with brownie.reverts(f"InvalidSignature: {signer.address.lower()}"):
        token.cancelAuthorization[CANCEL_BYTES](signer, NONCE, cancel.packed, {"from": bob})


def test_authorization_paused_reverts(token, domain, signer, bob, merchant, operator):
    token.pause({"from": operator})
    args, sig = _auth(domain, signer, merchant)
    with brownie.reverts("EnforcedPause: "):
        token.transferWithAuthorization[AUTH_VRS](*args, *sig.vrs, {"from": bob})
