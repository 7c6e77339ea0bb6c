"""Smoke test of the stablecoin family on both chains: deploy through corridor/stablecoin/deploy.py, then
KYC -> attest -> mint -> pay with a reference -> redeem."""

from corridor.stablecoin.deploy import JAPAN, TIER_INSTITUTIONAL, TIER_RETAIL, deploy_stablecoin
from corridor.stablecoin.ops import StablecoinOps, reference


def test_stablecoin_happy_path(accounts):
    admin, bank, alice, merchant = accounts[0], accounts[1], accounts[2], accounts[4]
    d = deploy_stablecoin(
        None,
        admin,
        {
            "issuers": [
                {"name": "Trust Bank A", "operator": bank, "allowance": 1_000_000, "reserve": 1_000_000}
            ],
            "kyc": [(alice, TIER_RETAIL, JAPAN), (merchant, TIER_RETAIL, JAPAN)],
        },
    )
    ops = StablecoinOps(d.token, d.registry)
    issuer = d.issuer_ids["Trust Bank A"]
    assert d.token.kycOf(bank)[0] == TIER_INSTITUTIONAL

    ops.mint(issuer, alice, 50_000, "DEPOSIT-0001", sender=bank)
    tx = ops.pay(alice, merchant, 12_000, "INV-0042")
    assert tx.events["TransferReference"][0]["paymentReference"] == "0x" + reference("INV-0042").hex()

    d.token.approve(bank, 8_000, {"from": merchant})
    ops.redeem(issuer, merchant, 8_000, "WD-0001", sender=bank)

    assert d.token.balanceOf(alice) == 38_000
    assert d.token.balanceOf(merchant) == 4_000
    assert d.token.totalSupply() == d.registry.totalOutstanding() == 42_000
