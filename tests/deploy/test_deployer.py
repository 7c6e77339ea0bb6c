"""The recorded deployer: re-runs reuse, and a kill at any point resumes without duplicates."""

import json

import pytest
from brownie import web3

from corridor.deploy import BookError, DeploymentBook, RecordedDeployer, create_address
from corridor.deploy.book import ContractRecord


@pytest.fixture
def book_path(tmp_path):
    return tmp_path / "development.json"


def _deployer(book_path, admin):
    book = DeploymentBook.open(book_path, "development", web3.eth.chain_id, admin.address)
    return RecordedDeployer(book, admin, web3, log=lambda _: None, pending_wait_seconds=1)


def test_rerun_reuses_recorded_contract(admin, MockERC20, book_path):
    first = _deployer(book_path, admin).deploy("token", MockERC20, "Yen", "JPY", 0)
    nonce = admin.nonce
    again = _deployer(book_path, admin).deploy("token", MockERC20, "Yen", "JPY", 0)
    assert again.address == first.address
    assert admin.nonce == nonce
    record = json.loads(book_path.read_text())["contracts"]["token"]
    assert record["status"] == "deployed"
    assert record["args"] == ["Yen", "JPY", 0]
    assert record["address"] == first.address


def test_kill_before_send_deploys_once_at_predicted_address(admin, MockERC20, book_path):
    d = _deployer(book_path, admin)
    predicted = create_address(admin.address, admin.nonce)
    # the book says pending (written just before the send), the transaction never left
    d.book.contracts.clear()
    d.book.contracts["token"] = ContractRecord("token", "MockERC20", predicted, [], "pending", admin.nonce)
    d.book.save()
    token = _deployer(book_path, admin).deploy("token", MockERC20, "Yen", "JPY", 0)
    assert token.address == predicted
    assert json.loads(book_path.read_text())["contracts"]["token"]["status"] == "deployed"


def test_kill_after_send_before_record_reuses_the_mined_contract(admin, MockERC20, book_path):
    nonce = admin.nonce
    mined = MockERC20.deploy("Yen", "JPY", 0, {"from": admin})  # sent and mined, then "killed"
    d = _deployer(book_path, admin)
    d.book.contracts["token"] = ContractRecord("token", "MockERC20", mined.address, [], "pending", nonce)
    d.book.save()
    token = _deployer(book_path, admin).deploy("token", MockERC20, "Yen", "JPY", 0)
    assert token.address == mined.address
    assert admin.nonce == nonce + 1  # nothing was deployed twice


def test_wiring_step_already_on_chain_is_not_sent_again(admin, alice, MockERC20, book_path):
    d = _deployer(book_path, admin)
    token = d.deploy("token", MockERC20, "Yen", "JPY", 0)
    sent = []

    def send(params):
        sent.append(1)
        return token.mint(alice, 5, params)

    d.transact("mint", lambda: token.balanceOf(alice) > 0, send)
    d.transact("mint", lambda: token.balanceOf(alice) > 0, send)
    assert sent == [1]
    assert token.balanceOf(alice) == 5
    assert json.loads(book_path.read_text())["steps"]["mint"]["status"] == "done"


def test_book_of_another_chain_is_refused(admin, book_path):
    book = DeploymentBook.open(book_path, "development", web3.eth.chain_id, admin.address)
    book.save()
    with pytest.raises(BookError, match="chain id"):
        DeploymentBook.open(book_path, "development", web3.eth.chain_id + 1, admin.address)


def test_recorded_contract_without_code_is_reported(admin, MockERC20, book_path):
    d = _deployer(book_path, admin)
    d.book.contracts["token"] = ContractRecord("token", "MockERC20", "0x" + "11" * 20, [], "deployed", 0)
    d.book.save()
    with pytest.raises(RuntimeError, match="no code"):
        _deployer(book_path, admin).deploy("token", MockERC20, "Yen", "JPY", 0)
