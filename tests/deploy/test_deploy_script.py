"""scripts/deploy.py on a live network: an Anvil started separately on another port and registered
with brownie as a non-development network, the deployer key from the environment. The script is run
as users run it (`brownie run scripts/deploy.py --network …`), killed for real (`os._exit(137)` at a
journal checkpoint, as `kill -9` would) and re-run.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from eth_account import Account
from web3 import HTTPProvider, Web3

from corridor.artifacts import ROOT

NETWORK = "corridor-live-test"
# anvil's first default account (a well-known development key, never used outside local chains)
ANVIL_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
ANVIL_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
BROWNIE = str(ROOT / ".venv" / "bin" / "brownie")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_chain(tmp_path):
    """A separately started Anvil registered as live network NETWORK; removed afterwards."""
    port = _free_port()
    anvil = subprocess.Popen(
        [str(ROOT / "node_modules" / ".bin" / "anvil"), "--port", str(port), "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    w3 = Web3(HTTPProvider(f"http://127.0.0.1:{port}"))
    for _ in range(100):
        if w3.is_connected():
            break
        time.sleep(0.1)
    subprocess.run([BROWNIE, "networks", "delete", NETWORK], capture_output=True)
    subprocess.run(
        [BROWNIE, "networks", "add", "Ethereum", NETWORK, f"host=http://127.0.0.1:{port}", "chainid=31337"],
        check=True,
        capture_output=True,
    )
    book = ROOT / "deployments" / f"{NETWORK}.json"
    book.unlink(missing_ok=True)
    # brownie keeps its own records of live deployments by chain id; a fresh chain reuses 31337
    shutil.rmtree(ROOT / "build" / "deployments", ignore_errors=True)
    try:
        yield w3, book
    finally:
        anvil.terminate()
        anvil.wait()
        subprocess.run([BROWNIE, "networks", "delete", NETWORK], capture_output=True)
        book.unlink(missing_ok=True)
        shutil.rmtree(ROOT / "build" / "deployments", ignore_errors=True)


def _deploy(kill_at: str | None = None, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DEPLOYER_PRIVATE_KEY": ANVIL_KEY,
        "SOLCX_BINARY_PATH": str(ROOT / ".solcx"),
        "CORRIDOR_SETTINGS": str(ROOT / "config" / "live.example.yaml"),
    }
    env.pop("CORRIDOR_KILL_AT", None)
    if kill_at:
        env["CORRIDOR_KILL_AT"] = kill_at
    env.update(extra_env or {})
    return subprocess.run(
        [BROWNIE, "run", "scripts/deploy.py", "--network", NETWORK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _book(path: Path) -> dict:
    return json.loads(path.read_text())


def test_deploy_on_live_network_records_everything_and_rerun_sends_nothing(live_chain):
    w3, book = live_chain
    first = _deploy()
    assert first.returncode == 0, first.stdout + first.stderr
    recorded = _book(book)
    assert recorded["chainId"] == 31337
    assert recorded["contracts"], "named contracts are recorded"
    for name, entry in recorded["contracts"].items():
        assert w3.eth.get_code(entry["address"]), name
    assert all(t["status"] == "done" for t in recorded["transactions"])
    nonce = w3.eth.get_transaction_count(ANVIL_ADDRESS)
    assert nonce == len(recorded["transactions"])

    again = _deploy()
    assert again.returncode == 0, again.stdout + again.stderr
    assert w3.eth.get_transaction_count(ANVIL_ADDRESS) == nonce
    assert _book(book)["contracts"] == recorded["contracts"]
    assert "roles verified" in again.stdout


@pytest.mark.parametrize(
    "kill_at", ["deploy.recorded:1", "deploy.sent:1", "deploy.recorded:9", "deploy.sent:7", "deploy.sent:25"]
)
def test_deploy_killed_at_any_step_resumes_without_duplicates(live_chain, kill_at):
    w3, book = live_chain
    killed = _deploy(kill_at=kill_at)
    assert killed.returncode != 0
    resumed = _deploy()
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    recorded = _book(book)
    # one transaction per recorded step: nothing was sent twice
    assert w3.eth.get_transaction_count(ANVIL_ADDRESS) == len(recorded["transactions"])
    assert all(t["status"] == "done" for t in recorded["transactions"])
    for name, entry in recorded["contracts"].items():
        assert w3.eth.get_code(entry["address"]), name


def test_unknown_network_is_one_clear_line():
    result = subprocess.run(
        [BROWNIE, "run", "scripts/deploy.py", "--network", "no-such-network"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "SOLCX_BINARY_PATH": str(ROOT / ".solcx")},
    )
    assert result.returncode != 0
    assert "no-such-network" in (result.stdout + result.stderr)


def test_missing_settings_for_a_live_network_is_one_clear_line(live_chain):
    result = _deploy(extra_env={"CORRIDOR_SETTINGS": ""})
    assert result.returncode != 0
    assert f"no deployment settings for network '{NETWORK}'" in result.stderr
    assert not live_chain[1].exists(), "nothing half-written"


def test_bad_private_key_is_one_clear_line(live_chain):
    result = _deploy(extra_env={"DEPLOYER_PRIVATE_KEY": "0x1234"})
    assert result.returncode != 0
    assert "DEPLOYER_PRIVATE_KEY is not a valid private key" in result.stderr
    assert not live_chain[1].exists(), "nothing half-written"


def test_unfunded_deployer_is_one_clear_line(live_chain):
    unfunded = "0x" + "42" * 32
    result = _deploy(extra_env={"DEPLOYER_PRIVATE_KEY": unfunded})
    assert result.returncode != 0
    assert "the deploy needs about" in result.stderr
    assert not live_chain[1].exists(), "nothing half-written"


@pytest.fixture
def keystore():
    """The anvil deployer key saved in brownie's encrypted keystore (removed afterwards)."""
    name = "corridor-live-test-deployer"
    path = Path.home() / ".brownie" / "accounts" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    # the standard encrypted keystore brownie's `accounts new` / `.save()` writes
    path.write_text(json.dumps(Account.encrypt(ANVIL_KEY, "correct horse")))
    yield name
    path.unlink(missing_ok=True)


def test_deploy_from_encrypted_keystore(live_chain, keystore):
    w3, book = live_chain
    result = _deploy(
        extra_env={
            "DEPLOYER_PRIVATE_KEY": "",
            "DEPLOYER_KEYSTORE": keystore,
            "DEPLOYER_PASSWORD": "correct horse",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert _book(book)["deployer"] == ANVIL_ADDRESS


def test_locked_keystore_is_one_clear_line(live_chain, keystore):
    result = _deploy(
        extra_env={"DEPLOYER_PRIVATE_KEY": "", "DEPLOYER_KEYSTORE": keystore, "DEPLOYER_PASSWORD": "wrong"}
    )
    assert result.returncode != 0
    assert f"keystore '{keystore}' could not be unlocked" in result.stderr
    assert not live_chain[1].exists()


def test_missing_keystore_is_one_clear_line(live_chain):
    result = _deploy(extra_env={"DEPLOYER_PRIVATE_KEY": "", "DEPLOYER_KEYSTORE": "no-such-keystore"})
    assert result.returncode != 0
    assert "keystore 'no-such-keystore' not found" in result.stderr
