"""The relayer's command line (one-line errors, non-zero exit) and the demo's one-call wiring."""

import pytest
from brownie import accounts, chain

from corridor.bridge.attest import KHR, USD
from corridor.bridge.ledger import Ledger
from corridor.bridge.offchain import bakong_side
from corridor.bridge.relayer import main
from corridor.bridge.store import RelayerStore
from corridor.deploy import DeploymentBook

from .bridge_model import CUSTOMER
from .test_relayer_chain import emit_poison

# ------------------------------------------------------------------ CLI errors


def _book(path, bridge, omnibus="bridge@nbcq", chain_id=None):
    """A deployment book as the deploy writes it (corridor.deploy.book), with the bridge and its omnibus."""
    book = DeploymentBook(path, "development", chain_id or chain.id, accounts[0].address)
    if bridge is not None:
        book.contracts["BakongBridge"] = {"contract": "BakongBridge", "address": bridge.address}
    book.config = {"bridge": {"omnibus_account": omnibus}}
    book.save()


@pytest.fixture
def files(tmp_path, bridge, keys):
    deployment = tmp_path / "development.json"
    _book(deployment, bridge)
    ledger = tmp_path / "bakong.sqlite"
    Ledger(str(ledger)).open_account("bridge@nbcq")
    vkeys = tmp_path / "validators.keys"
    vkeys.write_text("\n".join("0x" + k.hex() for k in keys))
    return {"deployment": deployment, "ledger": ledger, "validators": vkeys, "tmp": tmp_path}


def _args(files, web3, **override):
    args = {
        "--rpc": web3.provider.endpoint_uri,
        "--deployment": str(files["deployment"]),
        "--ledger": str(files["ledger"]),
        "--validator-keys": str(files["validators"]),
        "--sender-key": str(files.get("sender", files["validators"])),
        "--state": str(files["tmp"] / "relayer.sqlite"),
    }
    args.update(override)
    return [x for k, v in args.items() if v is not None for x in (k, v)]


def _error(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")
    return err


def test_cli_missing_deployment_file(capsys, files, web3):
    assert "does not exist" in _error(capsys, _args(files, web3, **{"--deployment": "nope.json"}))


def test_cli_deployment_not_json(capsys, files, web3):
    files["deployment"].write_text("{bridge:")
    assert "is not JSON" in _error(capsys, _args(files, web3))


def test_cli_deployment_without_bridge(capsys, files, web3):
    _book(files["deployment"], None)
    assert "no BakongBridge address" in _error(capsys, _args(files, web3))


def test_cli_bad_omnibus_account(capsys, files, web3, bridge):
    _book(files["deployment"], bridge, omnibus="no-bank")
    assert "name@bank" in _error(capsys, _args(files, web3))


def test_cli_book_of_another_chain(capsys, files, web3, bridge):
    _book(files["deployment"], bridge, chain_id=chain.id + 1)
    assert "records chain id" in _error(capsys, _args(files, web3))


def test_cli_reads_the_book_by_network_name(capsys, sender_file, web3, monkeypatch):
    """`--deployment development` is deployments/development.json (the book the deploy writes)."""
    monkeypatch.setattr("corridor.deployment.BOOK_DIR", sender_file["tmp"])
    assert main(_args(sender_file, web3, **{"--deployment": "development"})) == 0
    assert "nothing to do" in capsys.readouterr().out


def test_cli_missing_ledger(capsys, files, web3):
    assert "ledger file" in _error(capsys, _args(files, web3, **{"--ledger": "missing.sqlite"}))


def test_cli_unreachable_rpc(capsys, files, web3):
    assert "cannot reach RPC" in _error(capsys, _args(files, web3, **{"--rpc": "http://127.0.0.1:1"}))


def test_cli_no_contract_at_address(capsys, files, web3, stranger):
    assert "no contract" in _error(capsys, _args(files, web3, **{"--bridge": stranger.address}))


def test_cli_bad_key_file(capsys, files, web3):
    files["validators"].write_text("not-a-key\n")
    assert _error(capsys, _args(files, web3)).startswith("error: ")


@pytest.fixture
def sender_file(files, accounts):
    """A funded key the CLI signs its transactions with (the LocalAccount path of the gateway)."""
    sender = accounts.add()
    accounts[0].transfer(sender, "1 ether")
    (files["tmp"] / "sender.key").write_text(sender.private_key)
    files["sender"] = files["tmp"] / "sender.key"
    return files


def test_cli_one_pass_with_nothing_to_do_exits_zero(capsys, sender_file, web3):
    assert main(_args(sender_file, web3)) == 0
    assert "nothing to do" in capsys.readouterr().out


def test_cli_deposit_with_fractional_amount_is_refused(capsys, sender_file, web3, customer):
    err = _error(capsys, _args(sender_file, web3) + ["--deposit", "USD", "12.34", customer.address])
    assert "whole number of minor units" in err


def test_cli_deposit_in_unknown_currency_is_refused(capsys, sender_file, web3, customer):
    assert "unsupported currency" in _error(
        capsys, _args(sender_file, web3) + ["--deposit", "EUR", "5", customer.address]
    )


def test_cli_issues_a_deposit_then_relays_the_mint(capsys, sender_file, web3, bkhr, customer):
    assert main(_args(sender_file, web3) + ["--deposit", "KHR", "40000", customer.address]) == 0
    khqr = capsys.readouterr().out.strip().splitlines()[-1]
    book = Ledger(str(sender_file["ledger"]))
    book.open_account(CUSTOMER)
    book.cash_in(CUSTOMER, "KHR", 100_000)
    book.pay_khqr(CUSTOMER, khqr)
    assert main(_args(sender_file, web3)) == 0
    assert "minted=1" in capsys.readouterr().out
    assert bkhr.balanceOf(customer) == 40_000


# ------------------------------------------------------------------ demo wiring


def test_demo_flow_khr_and_usd(web3, bridge, relayer, keys, bkhr, busd, customer):
    side = bakong_side(web3, bridge.address, relayer, keys)
    side.ledger.open_account(CUSTOMER, "Sokha Chan")
    side.ledger.cash_in(CUSTOMER, "KHR", 1_000_000)
    side.ledger.cash_in(CUSTOMER, "USD", 100_00)
    for currency, amount in (("KHR", 400_000), ("USD", 25_00)):
        intent = side.relayer.request_deposit(currency, amount, customer.address)
        side.ledger.pay_khqr(CUSTOMER, intent.khqr)
    report = side.relayer.run_once()
    assert len(report.minted) == 2 and not report.errors
    assert (bkhr.balanceOf(customer), busd.balanceOf(customer)) == (400_000, 25_00)

    bkhr.approve(bridge, 150_000, {"from": customer})
    bridge.redeem(KHR, 150_000, CUSTOMER, {"from": customer})
    busd.approve(bridge, 5_00, {"from": customer})
    bridge.redeem(USD, 5_00, CUSTOMER, {"from": customer})
    report = side.relayer.run_once()
    assert len(report.finalized) == 2 and not report.errors
    assert side.ledger.balance(CUSTOMER, "KHR") == 1_000_000 - 400_000 + 150_000
    assert side.ledger.balance(CUSTOMER, "USD") == 100_00 - 25_00 + 5_00
    lines = side.relayer.reconciliation()
    assert [(line.currency.name, line.supply, line.omnibus, line.drift) for line in lines] == [
        ("KHR", 250_000, 250_000, 0),
        ("USD", 20_00, 20_00, 0),
    ]
    assert str(lines[1]) == "USD: supply 20.00  omnibus 20.00  in-flight +0.00 / -0.00  drift 0.00"


# ------------------------------------------------------------------ dead letters


def test_cli_pass_over_a_poison_event_lists_it_and_exits_one(capsys, sender_file, web3, bridge, customer):
    receipt = emit_poison(web3, bridge, customer, 7, KHR, 1_000, 2**40)
    source = f"0x{bytes(receipt['transactionHash']).hex()}:{receipt['logs'][0]['logIndex']}"
    assert main(_args(sender_file, web3)) == 1
    out = capsys.readouterr().out
    assert "dead_lettered=1" in out
    assert (
        f"  dead letter: log:{source}  parked after 1 attempt(s)  from {source}: RedemptionRequested #7"
        in out
    )
    assert main(_args(sender_file, web3)) == 0  # parked: the next pass goes on as usual
    assert "nothing to do" in capsys.readouterr().out
    assert main(_args(sender_file, web3) + ["--dead-letters"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(f"log:{source}  parked") and "does not decode" in line
    assert "that can be retried" in _error(capsys, _args(sender_file, web3) + ["--requeue", f"log:{source}"])


def test_cli_requeues_a_parked_item(capsys, files, web3):
    store = RelayerStore(str(files["tmp"] / "relayer.sqlite"))
    store.record_failure("deposit:ab", "0 of 3 signatures", "bakong:cd", 1, park_after=1)
    assert main(_args(files, web3) + ["--requeue", "deposit:ab"]) == 0
    assert capsys.readouterr().out == "requeued deposit:ab\n"
    assert main(_args(files, web3) + ["--dead-letters"]) == 0
    assert capsys.readouterr().out == "no dead letters\n"


def test_cli_dead_letters_without_a_state_file(capsys, files, web3):
    assert "state file" in _error(
        capsys, _args(files, web3, **{"--state": str(files["tmp"] / "none")}) + ["--dead-letters"]
    )
