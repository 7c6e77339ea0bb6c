"""Deploying the corridor: the deployment book and the deployers every family's deploy.py uses."""

from corridor.deploy.book import BookError, DeploymentBook
from corridor.deploy.deployer import Deployer, DirectDeployer, RecordedDeployer, create_address

__all__ = ["BookError", "DeploymentBook", "Deployer", "DirectDeployer", "RecordedDeployer", "create_address"]
