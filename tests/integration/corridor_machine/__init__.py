"""The whole-corridor state machine's parts: `helpers` (the deployed world and the prediction helpers),
`base` (`CorridorRules`: shared strategies, model and helpers) and one mixin of rules and invariants per
family. tests/integration/test_corridor_machine.py composes them."""
