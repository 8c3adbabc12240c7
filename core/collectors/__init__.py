"""The collector framework's public API."""

from core.collectors.base_collector import AbstractCollector
from core.collectors.command_base import BaseCollectorCommand
from core.errors import CollectorFailureCategory, classify_failure

__all__ = [
    "AbstractCollector",
    "BaseCollectorCommand",
    "CollectorFailureCategory",
    "classify_failure",
]
