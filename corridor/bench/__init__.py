"""`make gas`: the benchmark's rows, reference deployments and per-family measurements."""
