"""The FX exchange family: StableSwap reference math, deployment, price-impact chart."""
