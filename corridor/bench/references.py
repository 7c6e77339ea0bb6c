"""Reference contracts for `make gas`, deployed in the same run and measured in the same state.

- OpenZeppelin v5 ERC20 + ERC20Permit compiled from npm (contracts/testing/reference), directly and
  behind an ERC1967Proxy (UUPS).
- Uniswap V2 factory, pair and Router02 deployed from the npm artifacts of @uniswap/v2-core and
  @uniswap/v2-periphery (their bytecode hashes to the init-code hash Router02 expects).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brownie import Contract, web3

from corridor.artifacts import ROOT

UNISWAP_CORE = ROOT / "node_modules" / "@uniswap" / "v2-core" / "build"
UNISWAP_PERIPHERY = ROOT / "node_modules" / "@uniswap" / "v2-periphery" / "build"
DEADLINE = 2**32


def deploy_raw(artifact: Path, sender: Any, *args: Any) -> Contract:
    """Deploys a compiled artifact (abi + bytecode JSON) with web3 and wraps it as a brownie Contract."""
    data = json.loads(artifact.read_text())
    bytecode = data.get("bytecode") or data["evm"]["bytecode"]["object"]
    factory = web3.eth.contract(abi=data["abi"], bytecode=bytecode)
    tx_hash = factory.constructor(*args).transact({"from": sender.address, "gas": 8_000_000})
    receipt = web3.eth.wait_for_transaction_receipt(tx_hash)
    return Contract.from_abi(artifact.stem, receipt.contractAddress, data["abi"])


@dataclass
class UniswapV2:
    factory: Contract
    router: Contract
    weth: Contract


def deploy_uniswap_v2(sender: Any) -> UniswapV2:
    """Factory + WETH9 + Router02 from the npm artifacts."""
    factory = deploy_raw(UNISWAP_CORE / "UniswapV2Factory.json", sender, sender.address)
    weth = deploy_raw(UNISWAP_PERIPHERY / "WETH9.json", sender)
    router = deploy_raw(UNISWAP_PERIPHERY / "UniswapV2Router02.json", sender, factory.address, weth.address)
    return UniswapV2(factory=factory, router=router, weth=weth)


def seed_pair(uni: UniswapV2, token_a: Any, token_b: Any, amount_a: int, amount_b: int, lp: Any) -> Contract:
    """Creates the pair and adds liquidity through Router02 (so it is in the state users meet)."""
    for token in (token_a, token_b):
        token.approve(uni.router.address, 2**256 - 1, {"from": lp})
    uni.router.addLiquidity(token_a, token_b, amount_a, amount_b, 0, 0, lp, DEADLINE, {"from": lp})
    pair_address = uni.factory.getPair(token_a, token_b)
    data = json.loads((UNISWAP_CORE / "UniswapV2Pair.json").read_text())
    return Contract.from_abi("UniswapV2Pair", pair_address, data["abi"])
