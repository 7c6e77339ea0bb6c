"""Smoke: the offline compiler, OpenZeppelin remappings and the chain work end to end."""


def test_mock_token_deploys_and_transfers(accounts, MockERC20):
    token = MockERC20.deploy("Yen", "JPY", 0, {"from": accounts[0]})
    token.mint(accounts[0], 1_000, {"from": accounts[0]})
    tx = token.transfer(accounts[1], 250, {"from": accounts[0]})
    assert tx.events["Transfer"]["value"] == 250
    assert token.balanceOf(accounts[1]) == 250
    assert token.decimals() == 0
