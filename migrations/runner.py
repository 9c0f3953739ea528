"""Running Alembic from code, so no alembic.ini has to sit in the working directory."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from core.db import sqlalchemy_url
from core.settings import Settings


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(settings.db.url).replace("%", "%%"))
    config.attributes["settings"] = settings
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    command.upgrade(alembic_config(settings), revision)
