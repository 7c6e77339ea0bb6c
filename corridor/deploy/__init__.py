"""Deploying the corridor: the deployment book and the journaled deployer account."""

from corridor.deploy.book import BookError, DeploymentBook, TxRecord
from corridor.deploy.journal import JournaledAccount, JournalMismatch, create_address, jsonable

__all__ = [
    "BookError",
    "DeploymentBook",
    "JournalMismatch",
    "JournaledAccount",
    "TxRecord",
    "create_address",
    "jsonable",
]
