"""Alembic migrations. `waybill db upgrade` runs them; see `migrations/runner.py`."""
