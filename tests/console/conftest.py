"""The orders tests' API world (tokens for two buyers, two shops, the mall and staff)."""

from tests.orders.conftest import world  # noqa: F401 - a fixture, re-exported
