"""Development tooling, not part of the product: the coverage gate (`python -m corridor.dev.coverage`),
brownie's receipt grace for Anvil (`receipts`), and the gas measurements of `make gas` (`gas`)."""
