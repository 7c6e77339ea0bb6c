"""The role settings of a deploy (corridor/deploy/roles.py): the `roles:` section, the plan built from
it, and the live network's refusal of a zero admin delay. No chain: settings only (the on-chain
handover and check are tested in tests/deploy/test_deploy_script.py)."""

from __future__ import annotations

import copy

import pytest
import yaml
from eth_utils import to_checksum_address

from corridor.artifacts import ROOT
from corridor.codes import bridged
from corridor.deploy.roles import CONTRACT_ROLES, check_settings, role_plan
from corridor.deploy.settings import load_settings
from corridor.ui import UserError

BRIDGE_TOKENS = [c.book_name for c in bridged()]  # bUSD, bKHR, … (corridor.codes)

EXAMPLE = yaml.safe_load((ROOT / "config" / "live.example.yaml").read_text())
DEPLOYER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
BOT = to_checksum_address("0x00000000000000000000000000000000000000b0")
ADMIN, OPS, GUARDIAN = (
    to_checksum_address(f"0x3000000000000000000000000000000000000c0{i}") for i in (1, 3, 4)
)


def _settings(**changes):
    data = copy.deepcopy(EXAMPLE)
    data.update(changes)
    return data


def _who(data):
    return dict(data["parties"])


def _refused(data, development=False):
    with pytest.raises(UserError) as exc:
        check_settings(data, "live.yaml", development)
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_example_settings_are_accepted():
    check_settings(_settings(), "live.yaml", development=False)


def test_every_role_defaults_to_the_configured_admin():
    data = _settings(roles=None)
    plan = role_plan(data, _who(data), DEPLOYER)
    assert set(plan) == set(CONTRACT_ROLES)
    for contract, roles in plan.items():
        for role, holders in roles.items():
            nobody = (contract in BRIDGE_TOKENS and role in ("upgrader", "rescuer")) or role == "escrow_agent"
            assert holders == (() if nobody else (ADMIN,)), (contract, role)


def test_contract_entry_overrides_defaults_and_lists_give_several_holders():
    data = _settings()
    data["roles"] = {
        "defaults": {"pauser": "ops_bot"},
        "BakongBridge": {"pauser": ["guardian", BOT.lower()], "guardian": "guardian"},
        "bUSD": {"upgrader": "admin", "pauser": []},
    }
    plan = role_plan(data, _who(data), DEPLOYER)
    assert plan["JPYStablecoin"]["pauser"] == (OPS,)
    assert plan["JPYStablecoin"]["compliance"] == (ADMIN,)  # the section replaced the example's defaults
    assert plan["BakongBridge"]["pauser"] == (GUARDIAN, BOT)
    assert plan["BakongBridge"]["guardian"] == (GUARDIAN,)
    assert plan["bUSD"]["upgrader"] == (ADMIN,)
    assert plan["bUSD"]["pauser"] == ()
    assert plan["bKHR"]["upgrader"] == ()


def test_development_settings_leave_every_role_on_the_deployer():
    data = yaml.safe_load((ROOT / "config" / "development.yaml").read_text())
    plan = role_plan(data, {"admin": DEPLOYER}, DEPLOYER)
    assert {h for roles in plan.values() for holders in roles.values() for h in holders} == {DEPLOYER}


def test_the_bridge_escrow_agent_is_the_suites_khqr_payer_only():
    data = _settings()
    data["roles"] = {"defaults": {"pauser": "ops_bot"}}
    payer = to_checksum_address("0x" + "ab" * 20)
    plan = role_plan(data, _who(data), DEPLOYER, {"KhqrPayer": payer})
    assert plan["BakongBridge"]["escrow_agent"] == (payer,)
    assert role_plan(data, _who(data), DEPLOYER)["BakongBridge"]["escrow_agent"] == ()
    assert "KhqrPayer" not in plan and "InvoiceSettlement" not in plan  # admin-less: no handover, no check


@pytest.mark.parametrize(
    "roles, message",
    [
        (["admin"], "roles must map contract names"),
        ({"JPYCoin": {"pauser": "admin"}}, "roles.JPYCoin: no such contract"),
        ({"FXRouter": {"pauser": "admin"}}, "roles.FXRouter.pauser: no such role here (one of admin)"),
        ({"defaults": {"minter": "admin"}}, "roles.defaults.minter: no such role here"),
        ({"BakongBridge": "admin"}, "roles.BakongBridge must map role names to holders"),
        ({"BakongBridge": {"guardian": "nobody_known"}}, "'nobody_known' is neither a party"),
        ({"BakongBridge": {"guardian": "0x1234"}}, "'0x1234' is neither a party"),
        ({"BakongBridge": {"guardian": 3}}, "3 is neither a party"),
        ({"BakongBridge": {"guardian": "0x" + "00" * 20}}, "roles.BakongBridge.guardian: the zero address"),
        ({"RfqVenue": {"admin": "0x" + "00" * 20}}, "roles.RfqVenue.admin: the zero address holds no role"),
        ({"RfqVenue": {"admin": ["admin", "ops_bot"]}}, "the default admin is exactly one party or address"),
        ({"RfqVenue": {"admin": None}}, "the default admin is exactly one party or address"),
        (
            {"BakongBridge": {"escrow_agent": "ops_bot"}},
            "roles.BakongBridge.escrow_agent: held by the suite's KhqrPayer only (granted when it is wired)",
        ),
        (
            {"defaults": {"escrow_agent": "admin"}},
            "roles.defaults.escrow_agent: held by the suite's KhqrPayer",
        ),
        ({"KhqrPayer": {"admin": "admin"}}, "roles.KhqrPayer: KhqrPayer has no roles (admin-less"),
        ({"InvoiceSettlement": {}}, "roles.InvoiceSettlement: InvoiceSettlement has no roles"),
    ],
)
def test_bad_roles_section_is_one_clear_line(roles, message):
    assert message in _refused(_settings(roles=roles))


def test_zero_address_admin_party_is_refused():
    data = _settings()
    data["parties"] = {**data["parties"], "admin": "0x" + "00" * 20}
    assert "parties.admin: the zero address holds no role" in _refused(data)
    data["parties"] = {**data["parties"], "admin": ADMIN, "nobody": "0x" + "00" * 20}
    data["roles"] = {"defaults": {"pauser": "nobody"}}
    assert "roles.defaults.pauser: the zero address holds no role" in _refused(data)


@pytest.mark.parametrize(
    "section, key",
    [("stablecoin", "roles"), ("bridge", "guardian"), ("exchange", "reporter"), ("rfq", "maker_manager")],
)
def test_family_holder_keys_the_suite_does_not_read_are_refused(section, key):
    data = _settings()
    data[section] = {**data[section], key: "ops_bot"}
    assert f"{section}.{key} is not read by the suite deploy" in _refused(data)


def test_zero_admin_delay_is_refused_on_a_live_network():
    data = _settings()
    data["rfq"] = {**data["rfq"], "admin_delay": 0}
    data["exchange"] = {}  # no delay given: the exchange's default, 0
    message = _refused(data)
    assert message.startswith("live.yaml: admin_delay is 0 for exchange, rfq on a live network")
    assert "allow_zero_admin_delay: true" in message


def test_zero_admin_delay_is_allowed_when_forced_or_on_development():
    data = _settings(allow_zero_admin_delay=True)
    data["bridge"] = {**data["bridge"], "admin_delay": 0}
    check_settings(data, "live.yaml", development=False)
    check_settings({**data, "allow_zero_admin_delay": False}, "live.yaml", development=True)
    assert "admin_delay is 0 for bridge" in _refused({**data, "allow_zero_admin_delay": "yes"})


@pytest.mark.parametrize("delay", [-1, 2**48, "2 days", True])
def test_admin_delay_must_fit_a_uint48(delay):
    data = _settings()
    data["stablecoin"] = {**data["stablecoin"], "admin_delay": delay}
    assert "stablecoin.admin_delay must be a whole number of seconds" in _refused(data)


def test_load_settings_refuses_zero_delay_on_a_live_network(tmp_path, monkeypatch):
    path = tmp_path / "live.yaml"
    data = _settings()
    data["stablecoin"] = {**data["stablecoin"], "admin_delay": 0}
    path.write_text(yaml.safe_dump(data))
    monkeypatch.setenv("CORRIDOR_SETTINGS", str(path))
    with pytest.raises(UserError, match="admin_delay is 0 for stablecoin on a live network"):
        load_settings("my-chain", development=False)
    assert load_settings("my-chain", development=True)["stablecoin"]["admin_delay"] == 0
    path.write_text(yaml.safe_dump({**data, "allow_zero_admin_delay": True}))
    assert load_settings("my-chain", development=False)["allow_zero_admin_delay"] is True
