"""The corridor's off-chain services as processes: the Bakong server (Open API + simulator), validators
and the relayer. Each module has `build_parser()` and `main(argv)`; `corridor.services.http` is the
JSON-over-HTTP layer (routes, body limit, `GET /health`) they all share."""
