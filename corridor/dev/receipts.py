"""Brownie's "Tx dropped without known replacement" for transactions Anvil has just mined.

Brownie waits for a receipt by reading the sender's nonce and then the receipt; when the nonce has moved
past the transaction and there is no receipt, it declares the transaction dropped and raises
`TransactionError`. Anvil increments the nonce before the receipt can be read, for a moment (foundry
issue #10944, "eth_getTransactionReceipt sometimes fails to return tx right after mining"), and on a
loaded machine (two test workers on two cores, --steps-tracing) brownie lands in that moment now and
then: a mined, successful transaction fails the test or the demo.

`install_receipt_grace()` makes brownie wait, before its own logic, up to `grace` seconds for the
receipt to appear (polling every 20 ms, as `corridor.tx` does for the off-chain services). A transaction that is really dropped still ends as brownie
decides, `grace` seconds later; a mined one is found at once.
"""

from __future__ import annotations

from typing import Any

GRACE_SECONDS = 5.0


def install_receipt_grace(grace: float = GRACE_SECONDS) -> None:
    """Patch brownie's `TransactionReceipt._await_confirmation` to wait for the receipt first. Idempotent."""
    from brownie import web3
    from brownie.network.transaction import TransactionReceipt

    from corridor.tx import wait_for_receipt

    original = TransactionReceipt._await_confirmation
    if hasattr(original, "__wrapped__"):
        return

    def await_confirmation(self: Any, block_number: int | None = None, required_confs: int = 1) -> None:
        if required_confs > 0:
            wait_for_receipt(web3, self.txid, grace)
        return original(self, block_number, required_confs)

    await_confirmation.__wrapped__ = original  # type: ignore[attr-defined]
    TransactionReceipt._await_confirmation = await_confirmation  # type: ignore[method-assign]
