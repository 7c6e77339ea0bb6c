"""Adversarial signatures: replayed, reordered, duplicated, too few/many, outsiders, wrong chain or bridge,
rotated out, malleable."""

import brownie
from eth_account import Account

from corridor.bridge import attest
from corridor.bridge.attest import KHR

from .conftest import validator_keys


def _submit(bridge, att, sigs, sender):
    return bridge.mint(att.as_tuple(), sigs, {"from": sender})


def test_signatures_in_descending_order_revert(signers, bridge, alice, relayer, funded):
    att = signers.mint_att(KHR, 1, alice)
    sigs = signers.sign(att, keys=list(reversed(signers.keys[:3])))
    with brownie.reverts(revert_pattern=r"SignersNotAscending.*"):
        _submit(bridge, att, sigs, relayer)


def test_duplicated_signature_reverts(signers, bridge, alice, relayer, funded):
    att = signers.mint_att(KHR, 1, alice)
    k = signers.keys
    with brownie.reverts(revert_pattern=r"SignersNotAscending.*"):
        _submit(bridge, att, signers.sign(att, keys=[k[0], k[1], k[1]]), relayer)


def test_too_few_signatures_revert(signers, bridge, alice, relayer, funded):
    att = signers.mint_att(KHR, 1, alice)
    with brownie.reverts(revert_pattern=r"SignatureLengthMismatch.*"):
        _submit(bridge, att, signers.sign(att, keys=signers.keys[:2]), relayer)


def test_too_many_signatures_revert(signers, bridge, alice, relayer, funded):
    att = signers.mint_att(KHR, 1, alice)
    with brownie.reverts(revert_pattern=r"SignatureLengthMismatch.*"):
        _submit(bridge, att, signers.sign(att, keys=signers.keys[:4]), relayer)


def test_empty_signatures_revert(signers, bridge, alice, relayer, funded):
    att = signers.mint_att(KHR, 1, alice)
    with brownie.reverts(revert_pattern=r"SignatureLengthMismatch.*"):
        _submit(bridge, att, b"", relayer)


def test_truncated_signature_bytes_revert(signers, bridge, alice, relayer, funded):
    att = signers.mint_att(KHR, 1, alice)
    with brownie.reverts(revert_pattern=r"SignatureLengthMismatch.*"):
        _submit(bridge, att, signers.sign(att)[:-1], relayer)


def test_outsider_signature_reverts(signers, bridge, alice, relayer, funded):
    att = signers.mint_att(KHR, 1, alice)
    outsider = validator_keys(1, salt="outsider")[0]
    keys = sorted(signers.keys[:2] + [outsider], key=lambda k: int(Account.from_key(k).address, 16))
    with brownie.reverts(revert_pattern=r"SignerNotValidator.*"):
        _submit(bridge, att, signers.sign(att, keys=keys), relayer)


def test_signature_over_other_amount_reverts(signers, bridge, alice, relayer, funded):
    att = signers.mint_att(KHR, 1, alice)
    tampered = attest.MintAttestation(**{**att.__dict__, "amount": 1_000})
    with brownie.reverts(revert_pattern=r"(SignerNotValidator|SignersNotAscending).*"):
        _submit(bridge, tampered, signers.sign(att), relayer)


def test_signature_for_other_chain_id_reverts(signers, bridge, alice, relayer, funded, chain):
    att = signers.mint_att(KHR, 1, alice)
    other = attest.bridge_domain(chain.id + 1, bridge.address)
    with brownie.reverts(revert_pattern=r"(SignerNotValidator|SignersNotAscending).*"):
        _submit(bridge, att, signers.sign(att, domain=other), relayer)


def test_signature_for_other_bridge_reverts(signers, bridge, alice, relayer, funded, chain):
    att = signers.mint_att(KHR, 1, alice)
    other = attest.bridge_domain(chain.id, "0x" + "11" * 20)
    with brownie.reverts(revert_pattern=r"(SignerNotValidator|SignersNotAscending).*"):
        _submit(bridge, att, signers.sign(att, domain=other), relayer)


def test_signature_from_rotated_out_set_reverts(signers, bridge, admin, alice, relayer, funded):
    att = signers.mint_att(KHR, 1, alice)
    sigs = signers.sign(att)
    new_keys = validator_keys(5, salt="rotation")
    bridge.setValidators([Account.from_key(k).address for k in new_keys], 3, {"from": admin})
    with brownie.reverts(revert_pattern=r"EpochMismatch.*"):
        _submit(bridge, att, sigs, relayer)


def test_old_epoch_signatures_fail_even_relabelled(signers, bridge, admin, alice, relayer, funded):
    # Old validators sign an attestation that claims the new epoch: they are not validators of it.
    old_keys = list(signers.keys)
    bridge.setValidators(
        [Account.from_key(k).address for k in validator_keys(5, salt="rotation")], 3, {"from": admin}
    )
    att = signers.mint_att(KHR, 1, alice)  # carries the new epoch
    with brownie.reverts(revert_pattern=r"SignerNotValidator.*"):
        _submit(bridge, att, signers.sign(att, keys=old_keys[:3]), relayer)


def test_reappointed_validator_must_sign_new_epoch(signers, bridge, admin, alice, relayer, funded):
    att_old = signers.mint_att(KHR, 1, alice)
    sigs_old = signers.sign(att_old)
    bridge.setValidators(signers.addresses, 3, {"from": admin})  # same keys, new epoch
    with brownie.reverts(revert_pattern=r"EpochMismatch.*"):
        _submit(bridge, att_old, sigs_old, relayer)
    att_new = signers.mint_att(KHR, 1, alice)
    _submit(bridge, att_new, signers.sign(att_new), relayer)


def test_new_validator_set_mints(signers, bridge, bkhr, admin, alice, relayer, funded):
    new_keys = validator_keys(5, salt="rotation")
    bridge.setValidators([Account.from_key(k).address for k in new_keys], 3, {"from": admin})
    att = signers.mint_att(KHR, 9, alice)
    _submit(bridge, att, signers.sign(att, keys=new_keys[:3]), relayer)
    assert bkhr.balanceOf(alice) == 9


def test_high_s_signature_reverts(signers, bridge, alice, relayer, funded):
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    att = signers.mint_att(KHR, 1, alice)
    sigs = bytearray(signers.sign(att))
    s = int.from_bytes(sigs[32:64], "big")
    sigs[32:64] = (n - s).to_bytes(32, "big")
    sigs[64] = 55 - sigs[64]  # flip v between 27 and 28
    with brownie.reverts(revert_pattern=r"ECDSAInvalidSignatureS.*"):
        _submit(bridge, att, bytes(sigs), relayer)


def test_garbage_signature_reverts(signers, bridge, alice, relayer, funded):
    att = signers.mint_att(KHR, 1, alice)
    with brownie.reverts(revert_pattern=r"ECDSAInvalidSignature.*"):
        _submit(bridge, att, b"\x00" * 65 * 3, relayer)
