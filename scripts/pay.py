"""Pay one JPY invoice from a payer's bKHR (or bUSD) through best execution (see corridor/pay.py).

    brownie run scripts/pay.py main PAYER MERCHANT AMOUNT_JPY INVOICE [key=value …] --network development

    brownie run scripts/pay.py main customer merchant 50000 INV-2026-0100 --network development
    brownie run scripts/pay.py main customer merchant 50000 INV-2026-0101 venue=amm ttl=60 \
        max_slippage_bps=30 redeem_to=sokha@aclb --network development
    brownie run scripts/pay.py main customer merchant 50000 INV-2026-0102 quote_url=http://127.0.0.1:8610 \
        --network development                   # the RFQ quote from the quote server (make sandbox's)

Options: venue=auto|amm|rfq, currency=KHR|USD, ttl=1..300 (s), max_slippage_bps=N (default 100),
redeem_to=name@bank (redeem the payer's leftover to Bakong), quote_url=URL (the RFQ quote server to ask;
default: the maker's development key in process). Pays against the suite recorded in
deployments/<network>.json. Bad input ends with one line and exit status 2, before any transaction.
"""

from __future__ import annotations

from brownie import network

from corridor import pay
from corridor.dev.receipts import install_receipt_grace
from corridor.ui import UserError, fail, quiet_receipts


def main(*args: str) -> None:
    install_receipt_grace()  # Anvil's nonce-before-receipt moment is not a dropped tx (corridor/dev/receipts.py)
    try:
        with quiet_receipts():  # one line per step instead of brownie's receipts
            pay.main(args, network.show_active())
    except UserError as exc:
        fail(str(exc))
