"""The Bakong bridge family: attestation signing (attest) and deployment (deploy).

The off-chain Bakong side (ledger simulator, KHQR, Open-API client, relayer) builds on `attest`.
"""
