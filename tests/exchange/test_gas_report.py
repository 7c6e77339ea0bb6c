"""Gas of the goals, printed with `-s` (not asserted: `make gas` measures them side by side)."""

from conftest import FAR  # noqa: F401


def test_print_gas(funded, router, jpy_pool, khr_pool, jpy, khr, busd, alice, bob):
    # warm-up: alice and bob already hold every token (no zero-to-nonzero balance writes)
    tx = jpy_pool.swapExactIn(0, 100_000, 0, bob, 2**64, {"from": alice})
    print("\npool swapExactIn JPY->USD", tx.gas_used)
    tx = jpy_pool.swapExactIn(1, 100_000, 0, bob, 2**64, {"from": alice})
    print("pool swapExactIn USD->JPY", tx.gas_used)
    tx = router.swapExactIn([jpy, busd], 100_000, 0, bob, 2**64, b"ref", {"from": alice})
    print("router JPY->USD", tx.gas_used)
    tx = router.swapExactIn([jpy, busd, khr], 100_000, 0, bob, 2**64, b"ref", {"from": alice})
    print("router JPY->USD->KHR", tx.gas_used)
    tx = router.swapExactOut([jpy, busd, khr], 1_000_000, 2**200, bob, 2**64, b"ref", {"from": alice})
    print("router exactOut JPY->USD->KHR", tx.gas_used, tx.events["Swapped"][-1])
