"""The token's view functions, one focused test each, marked `call_coverage` so that `--coverage` traces their
calls: KYC, spent counter, tier limits (limited, unlimited, institutional, invalid), pause flag, allowances,
nonces, EIP-712 domain and authorization state."""

import brownie
import pytest
from eth_abi import encode
from eth_utils import keccak

from corridor.stablecoin import signing

pytestmark = pytest.mark.call_coverage

DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
MAX = 2**256 - 1
NONCE = b"\x24" * 32


def test_kyc_of_reports_tier_jurisdiction_and_frozen(token, operator, alice, customer, stranger):
    """kycOf returns (tier, jurisdiction, frozen) from the packed account word; zero for an unknown account."""
    assert token.kycOf(customer) == (1, 116, False)
    token.freeze(alice, {"from": operator})
    assert token.kycOf(alice) == (1, 392, True)
    assert token.kycOf(stranger) == (0, 0, False)


def test_spent_today_counts_the_day_transfers(token, alice, bob):
    """spentToday is what the sender moved today under its tier's daily limit."""
    assert token.spentToday(alice) == 0
    token.transfer(bob, 250_000, {"from": alice})
    token.transfer(bob, 50_000, {"from": alice})
    assert token.spentToday(alice) == 300_000
    assert token.spentToday(bob) == 0


def test_tier_limits_of_limited_tier(token):
    """A limited tier's limits are read back in base units."""
    assert token.tierLimits(1) == (1_000_000, 3_000_000)


def test_tier_limits_of_unlimited_tier_is_max(token):
    """A tier configured unlimited (tier 3 here) reads as type(uint256).max for both limits."""
    assert token.tierLimits(3) == (MAX, MAX)


def test_tier_limits_of_institutional_tier_is_max(token):
    """The institutional tier (4) has no limits."""
    assert token.tierLimits(4) == (MAX, MAX)


@pytest.mark.parametrize("tier", [0, 5])
def test_tier_limits_of_invalid_tier_reverts(token, tier):
    """Tiers outside 1..4 revert with InvalidTier(tier)."""
    with brownie.reverts(f"InvalidTier: {tier}"):
        token.tierLimits(tier)


def test_paused_follows_pause_and_unpause(token, operator):
    """paused() reflects the pause bit of the config word."""
    assert token.paused() is False
    token.pause({"from": operator})
    assert token.paused() is True
    token.unpause({"from": operator})
    assert token.paused() is False


def test_allowance_finite_and_infinite(token, alice, bob, merchant):
    """A finite allowance reads as given; one of 2^232-1 or more reads as type(uint256).max."""
    token.approve(bob, 1_234, {"from": alice})
    token.approve(merchant, 2**232 - 1, {"from": alice})
    assert token.allowance(alice, bob) == 1_234
    assert token.allowance(alice, merchant) == MAX


def test_nonces_count_permits(token, signer, bob):
    """nonces() starts at 0 and grows by one per permit used."""
    assert token.nonces(signer) == 0
    domain = signing.token_domain(token.name(), brownie.chain.id, token.address)
    deadline = brownie.chain[-1].timestamp + 3_600
    sig = signing.sign_permit(signer.private_key, domain, signer.address, bob.address, 1, 0, deadline)
    token.permit["address,address,uint256,uint256,bytes"](signer, bob, 1, deadline, sig.packed, {"from": bob})
    assert token.nonces(signer) == 1


def test_domain_separator_and_eip712_domain(token):
    """DOMAIN_SEPARATOR() is the EIP-712 hash of eip712Domain(): the token name, version "1", chain, proxy."""
    fields, name, version, chain_id, contract, salt, extensions = token.eip712Domain()
    assert (fields, name, version) == ("0x0f", "JPY Stablecoin", "1")
    assert (chain_id, contract) == (brownie.chain.id, token)
    assert (salt, list(extensions)) == ("0x" + "00" * 32, [])
    expected = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                keccak(text=DOMAIN_TYPE),
                keccak(text=name),
                keccak(text=version),
                chain_id,
                token.address,
            ],
        )
    )
    assert token.DOMAIN_SEPARATOR() == "0x" + expected.hex()


def test_authorization_state_after_cancel(token, signer, bob):
    """authorizationState is false for an unused nonce and true once the nonce is canceled."""
    assert token.authorizationState(signer, NONCE) is False
    domain = signing.token_domain(token.name(), brownie.chain.id, token.address)
    cancel = signing.sign_cancel_authorization(signer.private_key, domain, signer.address, NONCE)
    token.cancelAuthorization["address,bytes32,bytes"](signer, NONCE, cancel.packed, {"from": bob})
    assert token.authorizationState(signer, NONCE) is True
    assert token.authorizationState(bob, NONCE) is False


def test_supply_views(token, registry, alice):
    """issuerRegistry, totalSupply, balanceOf and supplyCap (2^112-1) of the deployed token."""
    assert token.issuerRegistry() == registry
    assert token.totalSupply() == 6_000_000
    assert token.balanceOf(alice) == 2_000_000
    assert token.supplyCap() == 2**112 - 1


def test_metadata_views(token):
    """name, symbol and decimals (0: one base unit is one yen) of the deployed token."""
    assert (token.name(), token.symbol(), token.decimals()) == ("JPY Stablecoin", "JPYS", 0)
