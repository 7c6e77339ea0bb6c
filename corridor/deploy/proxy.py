"""Deploying an upgradeable (UUPS) contract behind an ERC-1967 proxy (CorridorProxy, or OpenZeppelin's ERC1967Proxy) with brownie containers."""

from __future__ import annotations

from typing import Any

from brownie import Contract


def deploy_behind_proxy(
    container: Any,
    proxy_container: Any,
    sender: Any,
    initializer: str | None = "initialize",
    args: tuple = (),
    implementation: Any = None,
) -> Any:
    """Deploys `container`'s implementation (unless one is given), then a proxy (`proxy_container`) whose constructor calls
    `initializer(*args)`; returns the proxy as a `container`-typed Contract. The implementation's own
    initializer is disabled by its constructor, so only the proxy is ever initialized. `initializer=None`
    leaves the proxy uninitialized (empty init data), for tests that call the initializer themselves."""
    if implementation is None:
        implementation = container.deploy({"from": sender})
    data = b"" if initializer is None else getattr(implementation, initializer).encode_input(*args)
    proxy = proxy_container.deploy(implementation, data, {"from": sender})
    return Contract.from_abi(container._name, proxy.address, container.abi, owner=None)
