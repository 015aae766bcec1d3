"""Reading what the bot stored, as tests check it: the table's rows as they are in the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Select
from sqlalchemy.ext.asyncio import AsyncEngine


async def stored_rows(engine: AsyncEngine, query: Select[Any]) -> list[Row[Any]]:
    async with engine.connect() as connection:
        return list((await connection.execute(query)).all())
