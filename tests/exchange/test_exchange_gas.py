"""Gas of the goals and of Newton's iterations against imbalance, printed with `-s`
(not asserted: the lead's `make gas` measures the goals side by side with Uniswap V2).

    brownie test tests/exchange/test_exchange_gas.py -s
"""

from corridor.exchange.deploy import NO_DEADLINE as FAR
from corridor.exchange.stableswap import Pool


def test_print_goal_gas(funded, router, jpy_pool, khr_pool, jpy, khr, busd, alice, bob):
    """Warm state: alice and bob already hold every token; approvals are unlimited."""
    rows = [
        ("pool swapExactIn JPY->USD", jpy_pool.swapExactIn(0, 100_000, 0, bob, FAR, {"from": alice})),
        ("pool swapExactIn USD->JPY", jpy_pool.swapExactIn(1, 100_000, 0, bob, FAR, {"from": alice})),
        ("pool swapExactOut JPY->USD", jpy_pool.swapExactOut(0, 10_000, 2**255, bob, FAR, {"from": alice})),
        (
            "router swapExactIn JPY->USD",
            router.swapExactIn([jpy, busd], 100_000, 0, bob, FAR, b"r", {"from": alice}),
        ),
        (
            "router swapExactIn JPY->USD->KHR",
            router.swapExactIn([jpy, busd, khr], 100_000, 0, bob, FAR, b"r", {"from": alice}),
        ),
        (
            "router swapExactOut JPY->USD->KHR",
            router.swapExactOut([jpy, busd, khr], 1_000_000, 2**255, bob, FAR, b"r", {"from": alice}),
        ),
    ]
    print("\n| operation | gas |\n|---|---:|")
    for name, tx in rows:
        print(f"| {name} | {tx.gas_used:,} |")


def test_print_newton_gas_against_imbalance(make_pool, admin, busd, alice, bob):
    """One pool per imbalance (share of the pool's value held in JPY); a $100 JPY sale on each."""
    print("\n| JPY share of value | getD iterations | getY iterations | swap gas |\n|---:|---:|---:|---:|")
    for share in (50, 70, 90, 97, 99):
        deployed = make_pool(0)
        pool, token = deployed.pool, deployed.token
        for account in (alice, bob):
            token.mint(account, 10**12, {"from": admin})
            token.approve(pool, 2**256 - 1, {"from": account})
            busd.mint(account, 10**12, {"from": admin})
            busd.approve(pool, 2**256 - 1, {"from": account})
        # push the pool to the target imbalance with one sale of JPY
        model = Pool.from_contract(pool)
        b0, b1 = model.balances
        total = model.scaled()[0] + model.scaled()[1]
        target_x0 = total * share // 100
        if target_x0 > model.scaled()[0] * 101 // 100:
            dx = (target_x0 - model.scaled()[0]) * 10**18 // model.rates[0]
            pool.swapExactIn(0, dx, 0, bob, FAR, {"from": alice})
        model = Pool.from_contract(pool)
        x = model.scaled()
        d_its, y_its = model.newton_iterations(0, 15_000)
        tx = pool.swapExactIn(0, 15_000, 0, bob, FAR, {"from": alice})
        print(f"| {100 * x[0] // (x[0] + x[1])}% | {d_its} | {y_its} | {tx.gas_used:,} |")


def _v2_deploy(name, path, deployer, types=(), args=()):
    """Deploys an npm build artifact through brownie (so nonces and snapshots stay consistent)."""
    import json
    from pathlib import Path

    from brownie import Contract
    from eth_abi import encode

    art = json.loads(Path(path).read_text())
    data = "0x" + art["bytecode"].removeprefix("0x") + encode(list(types), list(args)).hex()
    tx = deployer.transfer(None, 0, data=data, gas_limit=8_000_000, silent=True)
    return Contract.from_abi(name, tx.contract_address, art["abi"])


def test_print_uniswap_v2_gas_on_the_same_tokens(funded, jpy, khr, busd, admin, alice, bob):
    """Uniswap V2 from the npm artifacts, seeded like the pools, same warm state."""
    periphery = "node_modules/@uniswap/v2-periphery/build/"
    factory = _v2_deploy(
        "UniswapV2Factory",
        "node_modules/@uniswap/v2-core/build/UniswapV2Factory.json",
        admin,
        ["address"],
        [admin.address],
    )
    weth = _v2_deploy("WETH9", periphery + "WETH9.json", admin)
    router = _v2_deploy(
        "UniswapV2Router02",
        periphery + "UniswapV2Router02.json",
        admin,
        ["address", "address"],
        [factory.address, weth.address],
    )
    for token, amount, usd in ((jpy, 150_000_000, 100_500_000), (khr, 4_000_000_000, 98_000_000)):
        token.approve(router, 2**256 - 1, {"from": admin})
        busd.approve(router, 2**256 - 1, {"from": admin})
        router.addLiquidity(token, busd, amount, usd, 0, 0, admin, FAR, {"from": admin})
    for token in (jpy, khr, busd):
        token.approve(router, 2**256 - 1, {"from": alice})

    def gas(path):
        return router.swapExactTokensForTokens(100_000, 0, path, bob, FAR, {"from": alice}).gas_used

    gas([jpy, busd])  # a pair's first trade writes its price accumulators from zero: warm both
    gas([khr, busd])
    print("\n| Uniswap V2 Router02 | gas |\n|---|---:|")
    print(f"| swapExactTokensForTokens JPY->USD | {gas([jpy, busd]):,} |")
    print(f"| swapExactTokensForTokens JPY->USD->KHR | {gas([jpy, busd, khr]):,} |")
