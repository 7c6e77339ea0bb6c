"""Off-chain side of the JPY <-> USD/KHR payment corridor.

Everything here speaks web3.py + eth-account against the build artifacts' ABIs, so it runs inside
brownie (scripts, console, tests) and as standalone processes against any RPC endpoint.
"""

__version__ = "0.1.0"
