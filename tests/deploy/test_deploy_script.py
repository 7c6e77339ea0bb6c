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
import yaml
from eth_account import Account
from eth_utils import keccak, to_checksum_address
from web3 import HTTPProvider, Web3

from corridor.artifacts import ROOT

NETWORK = "corridor-live-test"
# anvil's first default account (a well-known development key, never used outside local chains)
ANVIL_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
ANVIL_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
BROWNIE = str(ROOT / ".venv" / "bin" / "brownie")
# `brownie run` as the make targets run it: brownie itself cannot import a script of a clone under a
# folder with a dot in its name (tools/brownie_cli.py)
BROWNIE_RUN = [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "tools" / "brownie_cli.py"), "run"]
# anvil's second default account: the configured admin in the role tests (it accepts the admin transfers)
ADMIN_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
ADMIN_ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
EXAMPLE = ROOT / "config" / "live.example.yaml"


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


def _run_script(script: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`brownie run <script>` on the test network the way `make` runs it (tools/brownie_cli.py)."""
    return subprocess.run(
        [*BROWNIE_RUN, script, "--network", NETWORK],
        cwd=ROOT,
        env={**env, "SOLCX_BINARY_PATH": str(ROOT / ".solcx")},
        capture_output=True,
        text=True,
        timeout=600,
    )


def _deploy(kill_at: str | None = None, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEPLOYER_PRIVATE_KEY": ANVIL_KEY, "CORRIDOR_SETTINGS": str(EXAMPLE)}
    env.pop("CORRIDOR_KILL_AT", None)
    if kill_at:
        env["CORRIDOR_KILL_AT"] = kill_at
    env.update(extra_env or {})
    return _run_script("scripts/deploy.py", env)


def _book(path: Path) -> dict:
    return json.loads(path.read_text())


def _accept(extra_env: dict | None = None) -> subprocess.CompletedProcess:
    return _run_script(
        "scripts/accept_admin.py", {**os.environ, "ADMIN_PRIVATE_KEY": ADMIN_KEY, **(extra_env or {})}
    )


def _settings_file(tmp_path: Path, **changes) -> Path:
    """A copy of config/live.example.yaml with `changes` applied ("a.b": value sets settings[a][b])."""
    settings = yaml.safe_load(EXAMPLE.read_text())
    for dotted, value in changes.items():
        *parents, key = dotted.split(".")
        node = settings
        for parent in parents:
            node = node[parent]
        node[key] = value
    path = tmp_path / "live.yaml"
    path.write_text(yaml.safe_dump(settings, sort_keys=False))
    return path


# Roles as config/live.example.yaml assigns them (written out here, not computed by the code under test).
ROLES = {
    "JPYStablecoin": ("compliance", "pauser", "upgrader", "rescuer"),
    "IssuerRegistry": ("issuer_admin", "attestor", "upgrader"),
    "BakongBridge": ("pauser", "guardian", "escrow_agent"),
    "bUSD": ("compliance", "pauser", "upgrader", "rescuer"),
    "bKHR": ("compliance", "pauser", "upgrader", "rescuer"),
    "FXRouter": (),
    "FXFeed JPY/USD": ("reporter", "market_hours"),
    "FXFeed KHR/USD": ("reporter", "market_hours"),
    "FXPool JPY/USD": ("guardian",),
    "FXPool KHR/USD": ("guardian",),
    "RfqVenue": ("maker_manager", "pauser"),
}
HOLDER = {
    "compliance": "compliance_desk",
    "pauser": "ops_bot",
    "market_hours": "ops_bot",
    "guardian": "guardian",
    "reporter": "reporter",
}
ACCESS_ABI = [
    {
        "type": "function",
        "name": "hasRole",
        "stateMutability": "view",
        "inputs": [{"name": "role", "type": "bytes32"}, {"name": "account", "type": "address"}],
        "outputs": [{"name": "", "type": "bool"}],
    },
    {
        "type": "function",
        "name": "grantRole",
        "stateMutability": "nonpayable",
        "inputs": [{"name": "role", "type": "bytes32"}, {"name": "account", "type": "address"}],
        "outputs": [],
    },
    {
        "type": "function",
        "name": "defaultAdmin",
        "stateMutability": "view",
        "inputs": [],
        "outputs": [{"name": "", "type": "address"}],
    },
    {
        "type": "function",
        "name": "pendingDefaultAdmin",
        "stateMutability": "view",
        "inputs": [],
        "outputs": [{"name": "newAdmin", "type": "address"}, {"name": "schedule", "type": "uint48"}],
    },
]


def _role_id(role: str) -> bytes:
    return keccak(text=f"{role.upper()}_ROLE")


ADMINLESS = ("InvoiceSettlement", "KhqrPayer")  # in the book, without roles


def _expected_holder(parties: dict, contract: str, role: str) -> str | None:
    if contract == "BakongBridge" and role == "escrow_agent":
        return parties["KhqrPayer"]  # the suite's KhqrPayer only, whatever the settings say
    if contract in ("bUSD", "bKHR") and role in ("upgrader", "rescuer"):
        return None  # nobody: the admin grants them for an upgrade or a rescue
    if contract == "IssuerRegistry" and role == "attestor":
        return parties["auditor"]
    return parties[HOLDER.get(role, "admin")]


def _access(w3: Web3, book: Path) -> dict:
    recorded = _book(book)["contracts"]
    assert set(ADMINLESS) <= set(recorded)
    return {
        name: w3.eth.contract(address=entry["address"], abi=ACCESS_ABI)
        for name, entry in recorded.items()
        if name not in ADMINLESS
    }


def test_live_deploy_hands_every_role_to_its_configured_holder(live_chain, tmp_path):
    """Finding 8: the deployer keeps no role; each is held by its configured holder, the default-admin
    transfers point at the configured admin, who accepts them after the delay; a wrong role fails."""
    w3, book = live_chain
    settings = _settings_file(tmp_path, **{"parties.admin": ADMIN_ADDRESS})
    parties = {k: to_checksum_address(v) for k, v in yaml.safe_load(settings.read_text())["parties"].items()}
    first = _deploy(extra_env={"CORRIDOR_SETTINGS": str(settings)})
    assert first.returncode == 0, first.stdout + first.stderr

    contracts = _access(w3, book)
    assert set(contracts) == set(ROLES)
    recorded = _book(book)["contracts"]
    assert {recorded[name]["contract"] for name in ADMINLESS} == set(ADMINLESS)
    parties["KhqrPayer"] = to_checksum_address(recorded["KhqrPayer"]["address"])
    begun = w3.eth.get_block("latest")["timestamp"]
    for name, contract in contracts.items():
        for role in ROLES[name]:
            assert not contract.functions.hasRole(_role_id(role), ANVIL_ADDRESS).call(), (name, role)
            holder = _expected_holder(parties, name, role)
            if holder is not None:
                assert contract.functions.hasRole(_role_id(role), holder).call(), (name, role)
        assert contract.functions.defaultAdmin().call() == ANVIL_ADDRESS  # until the admin accepts
        new_admin, schedule = contract.functions.pendingDefaultAdmin().call()
        assert new_admin == ADMIN_ADDRESS, name
        assert begun < schedule <= begun + 172_800, name
    assert "roles verified" in first.stdout
    assert "Default-admin transfers pending" in first.stdout
    assert "scripts/accept_admin.py --network corridor-live-test" in first.stdout

    early = _accept()
    assert early.returncode == 0, early.stdout + early.stderr
    assert "0 accepted, 11 waiting" in early.stdout
    w3.provider.make_request("evm_increaseTime", [172_801])
    w3.provider.make_request("evm_mine", [])
    accepted = _accept()
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "11 accepted, 0 waiting" in accepted.stdout
    for name, contract in contracts.items():
        assert contract.functions.defaultAdmin().call() == ADMIN_ADDRESS, name
        assert contract.functions.pendingDefaultAdmin().call()[0] == "0x" + "00" * 20, name
        assert not contract.functions.hasRole(b"\0" * 32, ANVIL_ADDRESS).call(), name

    nonce = w3.eth.get_transaction_count(ANVIL_ADDRESS)
    again = _deploy(extra_env={"CORRIDOR_SETTINGS": str(settings)})
    assert again.returncode == 0, again.stdout + again.stderr
    assert "roles verified" in again.stdout and "transfers pending" not in again.stdout
    assert w3.eth.get_transaction_count(ANVIL_ADDRESS) == nonce

    # the admin hands a role back to the deploy key: the check fails, naming it
    contracts["JPYStablecoin"].functions.grantRole(_role_id("pauser"), ANVIL_ADDRESS).transact(
        {"from": ADMIN_ADDRESS}
    )
    wrong = _deploy(extra_env={"CORRIDOR_SETTINGS": str(settings)})
    assert wrong.returncode == 1
    assert (
        f"role: JPYStablecoin PAUSER_ROLE: held by {parties['ops_bot']}, {ANVIL_ADDRESS} (deployer); "
        f"configured: {parties['ops_bot']}\n"
    ) in wrong.stderr
    assert "role check failed: 1 role(s) not as configured" in wrong.stderr


def test_zero_admin_delay_is_refused_on_a_live_network(live_chain, tmp_path):
    settings = _settings_file(tmp_path, **{"bridge.admin_delay": 0})
    result = _deploy(extra_env={"CORRIDOR_SETTINGS": str(settings)})
    assert result.returncode != 0
    assert "admin_delay is 0 for bridge on a live network" in result.stderr
    assert "allow_zero_admin_delay: true" in result.stderr
    assert not live_chain[1].exists(), "nothing half-written"


def test_accept_without_a_deployment_is_one_clear_line(live_chain):
    result = _accept()
    assert result.returncode != 0
    assert "no deployment book deployments/corridor-live-test.json" in result.stderr


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


# with config/live.example.yaml the deploy sends 138 transactions: the invoice settlement (admin-less) is deployed
# and wired at #76 to #80 (its hook on the bridge, its allowlist entries on the tokens), the KhqrPayer (admin-less)
# at #81 to #85 (the bridge's escrow-agent role, its allowlist entries); the role handover is #86 to #138
@pytest.mark.parametrize(
    "kill_at",
    [
        "deploy.recorded:1",
        "deploy.sent:1",
        "deploy.recorded:9",
        "deploy.sent:7",
        "deploy.sent:25",
        "deploy.sent:77",  # the settlement is deployed, its wiring is not finished
        "deploy.sent:82",  # the KhqrPayer is deployed and an escrow agent, not yet an allowed holder
        "deploy.sent:95",  # in the handover: grants and renounces
        "deploy.sent:137",  # the last default-admin transfer is not yet begun
    ],
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
    assert len(recorded["transactions"]) == 138, "the handover was neither skipped nor repeated"
    assert "roles verified" in resumed.stdout
    for name, entry in recorded["contracts"].items():
        assert w3.eth.get_code(entry["address"]), name


def test_unknown_network_is_one_clear_line():
    result = subprocess.run(
        [*BROWNIE_RUN, "scripts/deploy.py", "--network", "no-such-network"],
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
