"""`corridor` as a user meets it: every command has --help, bad input ends with one line on stderr and exit
status 2 before anything is written, `corridor status` reports a service it cannot reach as down."""

from __future__ import annotations

import json

import pytest

from corridor.cli import COMMANDS
from corridor.services.chain import load_key
from corridor.services.status import NONE_RUNNING
from corridor.ui import UserError
from tests.cli.procs import corridor, free_port


def one_line_error(result, status=2):
    assert result.returncode == status, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    return lines[0]


def test_help_lists_every_command():
    result = corridor("--help")
    assert result.returncode == 0
    for name, _, summary in COMMANDS:
        assert name in result.stdout and summary.split()[0] in result.stdout


@pytest.mark.parametrize("command", [name for name, _, _ in COMMANDS])
def test_every_command_has_help(command):
    result = corridor(command, "--help")
    assert result.returncode == 0 and result.stdout.startswith(f"usage: corridor {command}")


def test_no_command_prints_help_and_fails():
    result = corridor()
    assert result.returncode == 2 and "<command>" in result.stdout


def test_unknown_command():
    line = one_line_error(corridor("serve"))
    assert (
        line
        == f"error: corridor: unknown command 'serve' (one of: {', '.join(n for n, _, _ in COMMANDS)}) (see corridor --help)"
    )


def test_bad_option_value():
    line = one_line_error(corridor("quote-server", "--port", "eighty"))
    assert line.startswith("error: corridor quote-server: argument --port: invalid int value: 'eighty'")


def test_wrong_network_name():
    line = one_line_error(corridor("quote-server", "--network", "mainnet-typo"), 2)
    assert line.startswith(
        "error: no deployment book for network 'mainnet-typo' (deployments/mainnet-typo.json); known:"
    )


def test_missing_key_is_named_never_shown(tmp_path):
    book = tmp_path / "book.json"
    book.write_text(json.dumps({"chainId": 1, "contracts": {"RfqVenue": {"address": "0x" + "11" * 20}}}))
    line = one_line_error(corridor("quote-server", "--book", str(book), env={"MAKER_PRIVATE_KEY": ""}))
    assert line == "error: no maker key: set MAKER_KEYSTORE (brownie keystore id) or MAKER_PRIVATE_KEY"
    secret = "0x" + "zz" * 32
    line = one_line_error(corridor("quote-server", "--book", str(book), env={"MAKER_PRIVATE_KEY": secret}))
    assert "not a valid private key" in line and secret not in line


def test_unreadable_book(tmp_path):
    book = tmp_path / "book.json"
    book.write_text("{half")
    line = one_line_error(corridor("book", "--book", str(book)))
    assert line.startswith(f"error: deployment book {book} is not JSON")


def test_rpc_that_does_not_answer(tmp_path):
    book = tmp_path / "book.json"
    book.write_text(json.dumps({"chainId": 1, "contracts": {"RfqVenue": {"address": "0x" + "11" * 20}}}))
    env = {"MAKER_PRIVATE_KEY": "0x" + "01" * 32}
    line = one_line_error(
        corridor("quote-server", "--book", str(book), "--rpc", f"http://127.0.0.1:{free_port()}", env=env)
    )
    assert line.startswith("error: no RPC endpoint answers at http://127.0.0.1:")


def test_reporter_source_that_does_not_exist(tmp_path):
    line = one_line_error(corridor("feed-reporter", "--source", str(tmp_path / "rates.json")))
    assert "no such file" in line


def test_status_shows_an_unreachable_service_as_down():
    port = free_port()
    result = corridor("status", "--url", f"relayer=http://127.0.0.1:{port}")
    assert result.returncode == 1
    row = next(line for line in result.stdout.splitlines() if line.startswith("relayer"))
    assert "down" in row and "cannot reach" in row
    assert result.stderr.strip() == NONE_RUNNING  # a new user learns how to start them


def test_status_bad_url():
    assert "expected NAME=http(s)://HOST:PORT" in one_line_error(corridor("status", "--url", "relayer"))


def test_service_list_errors(tmp_path):
    cfg = tmp_path / "services.yaml"
    cfg.write_text("services:\n  - {name: a, port: 8610}\n  - {name: b, port: 8610}\n")
    assert "used twice" in one_line_error(corridor("status", "--config", str(cfg)))
    cfg.write_text("services:\n  - {name: a, port: 99999}\n")
    assert "port must be a number from 1 to 65535" in one_line_error(
        corridor("sandbox", "--config", str(cfg))
    )


def test_keystore_key_is_decrypted(tmp_path):
    from eth_account import Account

    key = "0x" + "42" * 32
    path = tmp_path / "maker.json"
    path.write_text(json.dumps(Account.encrypt(key, "pw", iterations=2)))  # brownie's keystore format
    assert (
        load_key("MAKER", {"MAKER_KEYSTORE": str(path), "MAKER_PASSWORD": "pw"}).address
        == Account.from_key(key).address
    )
    with pytest.raises(UserError, match="could not be unlocked"):
        load_key("MAKER", {"MAKER_KEYSTORE": str(path), "MAKER_PASSWORD": "wrong"})
