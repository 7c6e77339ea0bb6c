"""Reserve attestations (the supply ceiling) and signed reconciliations (auto-stop of minting)."""

import brownie

from corridor.bridge.attest import KHR, USD


def _attest(signers, bridge, att, sender):
    return bridge.attestReserve(att.as_tuple(), signers.sign(att), {"from": sender})


def _reconcile(signers, bridge, rec, sender):
    return bridge.reconcile(rec.as_tuple(), signers.sign(rec), {"from": sender})


def test_attest_reserve_records_balance_and_time(signers, bridge, relayer):
    att = signers.reserve_att(KHR, 123_456)
    tx = _attest(signers, bridge, att, relayer)
    assert tuple(bridge.reserveOf(KHR)) == (123_456, att.as_of)
    assert tx.events["ReserveAttested"]["balance"] == 123_456


def test_attest_reserve_not_newer_reverts(signers, bridge, relayer):
    att = signers.reserve_att(KHR, 1)
    _attest(signers, bridge, att, relayer)
    with brownie.reverts(revert_pattern=r"ObservationNotNewer.*"):
        _attest(signers, bridge, signers.reserve_att(KHR, 2, as_of=att.as_of), relayer)


def test_attest_reserve_replay_reverts(signers, bridge, relayer):
    att = signers.reserve_att(KHR, 1)
    _attest(signers, bridge, att, relayer)
    with brownie.reverts(revert_pattern=r"ObservationNotNewer.*"):
        _attest(signers, bridge, att, relayer)


def test_attest_reserve_from_future_reverts(signers, bridge, relayer):
    with brownie.reverts(revert_pattern=r"ObservationFromFuture.*"):
        _attest(signers, bridge, signers.reserve_att(KHR, 1, as_of=signers.now() + 3600), relayer)


def test_attest_reserve_too_old_reverts(signers, bridge, relayer):
    old = signers.now() - bridge.timings()[0] - 10
    with brownie.reverts(revert_pattern=r"ObservationTooOld.*"):
        _attest(signers, bridge, signers.reserve_att(KHR, 1, as_of=old), relayer)


def test_attest_reserve_wrong_epoch_reverts(signers, bridge, relayer):
    with brownie.reverts(revert_pattern=r"EpochMismatch.*"):
        _attest(signers, bridge, signers.reserve_att(KHR, 1, epoch=bridge.epoch() + 1), relayer)


def test_attest_reserve_unknown_currency_reverts(signers, bridge, relayer):
    with brownie.reverts(revert_pattern=r"UnknownCurrency.*"):
        _attest(signers, bridge, signers.reserve_att(392, 1), relayer)


def test_attest_reserve_unsigned_reverts(signers, bridge, relayer):
    att = signers.reserve_att(KHR, 1)
    with brownie.reverts(revert_pattern=r"SignatureLengthMismatch.*"):
        bridge.attestReserve(att.as_tuple(), b"", {"from": relayer})


def test_reserve_below_supply_stops_minting(signers, bridge, bkhr, alice, relayer, funded):
    signers.mint(KHR, 1_000, alice, relayer)
    tx = _attest(signers, bridge, signers.reserve_att(KHR, 999), relayer)
    assert bridge.mintingStopped(KHR)
    assert tx.events["MintingAutoPaused"]["supply"] == 1_000


def test_reserve_equal_to_supply_keeps_minting(signers, bridge, alice, relayer, funded):
    signers.mint(KHR, 1_000, alice, relayer)
    _attest(signers, bridge, signers.reserve_att(KHR, 1_000), relayer)
    assert not bridge.mintingStopped(KHR)


def test_reconcile_within_drift_keeps_minting(signers, bridge, alice, relayer, funded):
    signers.mint(KHR, 1_000, alice, relayer)
    drift = bridge.limitsOf(KHR)[2]
    tx = _reconcile(signers, bridge, signers.reconciliation(KHR, 1_000 + drift), relayer)
    assert not bridge.mintingStopped(KHR)
    ev = tx.events["Reconciled"]
    assert (ev["omnibusBalance"], ev["supply"]) == (1_000 + drift, 1_000)


def test_reconcile_surplus_beyond_drift_stops_minting(signers, bridge, alice, relayer, funded):
    signers.mint(KHR, 1_000, alice, relayer)
    drift = bridge.limitsOf(KHR)[2]
    tx = _reconcile(signers, bridge, signers.reconciliation(KHR, 1_001 + drift), relayer)
    assert bridge.mintingStopped(KHR)
    assert "MintingAutoPaused" in tx.events


def test_reconcile_deficit_beyond_drift_stops_minting(signers, bridge, admin, alice, relayer, funded):
    limits = list(bridge.limitsOf(KHR))
    limits[2] = 0  # exact reconciliation
    bridge.setCurrencyLimits(KHR, limits, {"from": admin})
    signers.mint(KHR, 1_000, alice, relayer)
    _reconcile(signers, bridge, signers.reconciliation(KHR, 999), relayer)
    assert bridge.mintingStopped(KHR)


def test_reconcile_updates_reserve_when_newer(signers, bridge, relayer, funded, chain):
    chain.sleep(5)
    chain.mine()
    rec = signers.reconciliation(KHR, 777)
    _reconcile(signers, bridge, rec, relayer)
    assert tuple(bridge.reserveOf(KHR)) == (777, rec.as_of)


def test_reconcile_replay_reverts(signers, bridge, relayer, funded):
    rec = signers.reconciliation(KHR, 10)
    _reconcile(signers, bridge, rec, relayer)
    with brownie.reverts(revert_pattern=r"ObservationNotNewer.*"):
        _reconcile(signers, bridge, rec, relayer)


def test_reconcile_from_future_reverts(signers, bridge, relayer):
    with brownie.reverts(revert_pattern=r"ObservationFromFuture.*"):
        _reconcile(signers, bridge, signers.reconciliation(KHR, 1, as_of=signers.now() + 99), relayer)


def test_reconcile_too_old_reverts(signers, bridge, relayer):
    old = signers.now() - bridge.timings()[0] - 10
    with brownie.reverts(revert_pattern=r"ObservationTooOld.*"):
        _reconcile(signers, bridge, signers.reconciliation(KHR, 1, as_of=old), relayer)


def test_reconcile_wrong_epoch_reverts(signers, bridge, relayer):
    with brownie.reverts(revert_pattern=r"EpochMismatch.*"):
        _reconcile(signers, bridge, signers.reconciliation(KHR, 1, epoch=7), relayer)


def test_reconcile_unknown_currency_reverts(signers, bridge, relayer):
    with brownie.reverts(revert_pattern=r"UnknownCurrency.*"):
        _reconcile(signers, bridge, signers.reconciliation(1, 1), relayer)


def test_resume_minting_by_admin(signers, bridge, bkhr, admin, alice, relayer, funded):
    _reconcile(signers, bridge, signers.reconciliation(KHR, 10**15), relayer)
    tx = bridge.resumeMinting(KHR, {"from": admin})
    assert tx.events["MintingResumed"]["admin"] == admin
    assert not bridge.mintingStopped(KHR)
    signers.mint(KHR, 5, alice, relayer)
    assert bkhr.balanceOf(alice) == 5


def test_resume_minting_by_non_admin_reverts(bridge, operator):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        bridge.resumeMinting(KHR, {"from": operator})


def test_resume_minting_unknown_currency_reverts(bridge, admin):
    with brownie.reverts(revert_pattern=r"UnknownCurrency.*"):
        bridge.resumeMinting(1, {"from": admin})


def test_reserve_attestation_allowed_while_paused(signers, bridge, operator, relayer):
    bridge.pause({"from": operator})
    _attest(signers, bridge, signers.reserve_att(USD, 5), relayer)
    assert bridge.reserveOf(USD)[0] == 5


def test_reserve_signatures_cannot_be_used_as_reconciliation(signers, bridge, relayer):
    """Same field layout, other type name: the digests differ, so one struct's signatures never pass as the other."""
    att = signers.reserve_att(KHR, 10**15)
    rec = signers.reconciliation(KHR, 10**15, as_of=att.as_of)
    with brownie.reverts(revert_pattern=r"(SignerNotValidator|SignersNotAscending).*"):
        bridge.reconcile(rec.as_tuple(), signers.sign(att), {"from": relayer})


def test_reserve_signature_for_other_currency_reverts(signers, bridge, relayer):
    att = signers.reserve_att(KHR, 10**15)
    forged = type(att)(USD, att.balance, att.as_of, att.epoch)
    with brownie.reverts(revert_pattern=r"(SignerNotValidator|SignersNotAscending).*"):
        bridge.attestReserve(forged.as_tuple(), signers.sign(att), {"from": relayer})


def test_reconcile_older_than_the_last_attestation_keeps_the_attested_reserve(
    signers, bridge, relayer, funded
):
    """A reconciliation is the freshest reserve figure only when newer: an older one leaves the attestation."""
    attested_at = bridge.reserveOf(KHR)[1]
    tx = _reconcile(signers, bridge, signers.reconciliation(KHR, 0, as_of=attested_at - 1), relayer)
    assert "Reconciled" in tx.events and "ReserveAttested" not in tx.events
    assert tuple(bridge.reserveOf(KHR)) == (funded, attested_at)
    assert not bridge.mintingStopped(KHR)


def test_reserve_above_uint128_is_clamped(signers, bridge, relayer):
    """Bakong cannot hold 2**128 units; the stored ceiling is clamped (only lower), the event keeps the figure."""
    tx = signers.attest_reserve(KHR, 2**128, relayer)
    assert tx.events["ReserveAttested"]["balance"] == 2**128
    assert bridge.reserveOf(KHR)[0] == 2**128 - 1
