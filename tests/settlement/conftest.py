"""Settlement fixtures: the corridor deployed by `corridor.suite.deploy_suite` (which deploys InvoiceSettlement and
registers it as the bridge's mint hook), funded by `corridor.invoice_desk.fund_corridor`, and its `Desk` that issues
invoices and pays them with hooked mints signed by the validators.

Module-scoped; `fn_isolation` (root conftest) resets the chain after every test.
"""

from __future__ import annotations

import pytest

from corridor.deploy.settings import load_settings
from corridor.invoice_desk import fund_corridor
from corridor.suite import deploy_suite


@pytest.fixture(scope="module")
def desk(accounts):
    from brownie import project as brownie_project

    project = brownie_project.get_loaded_projects()[0]
    settings = load_settings("development", development=True)
    suite = deploy_suite(project, accounts[0], settings, accounts)
    return fund_corridor(suite, settings, accounts, accounts[0], accounts[9])
