"""Throughput of the Python drivers against Anvil (used by `make bench`, tools/bench_offchain.py).

- JPY payments: `transferWithReference` transactions built with web3.py, signed with eth-account
  (a LocalAccount, as a standalone wallet or service would) and sent raw, one after another.
- Bakong deposits: N KHQR deposits paid on the ledger simulator, then one relayer pass that
  collects 3-of-5 validator signatures and submits every mint.
Prints one line `TPS {json}` with transactions per second of each.

- Relayed deposits end to end (corridor.bench.relay, in process): Bakong payments at an offered rate
  while the relayer runs, without batching and with batches of 64; one line `RELAY {json}` with the
  deposits per second and the latency from payment to mint (median, p99) of each.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from brownie import accounts, web3
from eth_account import Account

from corridor.codes import JAPAN, Tier
from corridor.deploy.settings import load_settings
from corridor.dev.receipts import install_receipt_grace
from corridor.suite import deploy_suite, dev_validator_keys, parties
from corridor.ui import quiet_receipts

PAYMENTS = int(os.environ.get("CORRIDOR_TPS_PAYMENTS", "200"))
DEPOSITS = int(os.environ.get("CORRIDOR_TPS_DEPOSITS", "40"))
RELAY_RUNS = tuple(  # (batch size, deposits, offered payments per second); CORRIDOR_RELAY_RUNS overrides
    tuple(float(x) if i == 2 else int(x) for i, x in enumerate(run.split(":")))
    for run in os.environ.get("CORRIDOR_RELAY_RUNS", "1:150:300,64:1536:300").split(",")
)


def main() -> None:
    install_receipt_grace()  # Anvil's nonce-before-receipt moment is not a dropped tx (corridor/dev/receipts.py)
    from brownie import project

    with quiet_receipts():
        settings = load_settings("development", development=True)
        suite = deploy_suite(project.get_loaded_projects()[0], accounts[0], settings, accounts)
        who = parties(settings, accounts)
        jpy, registry = suite.stablecoin.token, suite.stablecoin.registry
        from corridor.stablecoin.ops import StablecoinOps

        ops = StablecoinOps(jpy, registry)
        payer = Account.from_key("0x" + "11" * 32)
        accounts[0].transfer(payer.address, 10**19)
        jpy.setKyc(payer.address, int(Tier.CORPORATE), JAPAN, {"from": who["admin"]})
        ops.mint(
            suite.stablecoin.issuer_ids["Trust Bank A"], payer.address, 10_000_000, "TPS", who["issuer_a"]
        )
        token = web3.eth.contract(address=jpy.address, abi=jpy.abi)
        nonce = web3.eth.get_transaction_count(payer.address)
        start = time.monotonic()
        for i in range(PAYMENTS):
            tx = token.functions.transferWithReference(
                who["merchant"].address, 1, b"INV".ljust(32, b"\0")
            ).build_transaction(
                {
                    "from": payer.address,
                    "nonce": nonce + i,
                    "gas": 120_000,
                    "gasPrice": 0,
                    "chainId": web3.eth.chain_id,
                }
            )
            web3.eth.wait_for_transaction_receipt(
                web3.eth.send_raw_transaction(payer.sign_transaction(tx).raw_transaction)
            )
        payments_tps = PAYMENTS / (time.monotonic() - start) if PAYMENTS else 0.0

        from corridor.bridge.offchain import bakong_side

        ledger_path = str(Path(tempfile.mkdtemp(prefix="corridor-tps-")) / "bakong.sqlite")  # one Bakong
        side = bakong_side(
            web3, suite.bridge.bridge.address, accounts[0], dev_validator_keys(5), ledger_path=ledger_path
        )
        side.ledger.open_account("tps@aclb", "TPS")
        side.ledger.cash_in("tps@aclb", "KHR", 10**9)
        customer = who["customer"]
        for _ in range(DEPOSITS):
            side.ledger.pay_khqr(
                "tps@aclb", side.relayer.request_deposit("KHR", 10_000, customer.address).khqr
            )
        start = time.monotonic()
        report = side.relayer.run_once()
        deposits_tps = len(report.minted) / (time.monotonic() - start)

        from corridor.bench.relay import relay_throughput

        relay = []
        for size, count, offered in RELAY_RUNS:
            figures = relay_throughput(
                web3,
                suite.bridge.bridge.address,
                accounts[0],
                dev_validator_keys(5),
                customer.address,
                count,
                size,
                offered,
                ledger_path,
            )
            relay.append(figures.row())
    print("RELAY " + json.dumps(relay))
    print(
        "TPS "
        + json.dumps(
            {
                "JPY payments (web3.py + eth-account, raw txs)": round(payments_tps, 1),
                "Bakong deposits minted (relayer pass, 3-of-5 signatures each)": round(deposits_tps, 1),
            }
        )
    )
