"""Every table module, imported so `Base.metadata` is complete (for Alembic and the schema test)."""

from __future__ import annotations

from storage import (
    models,
    models_answers,
    models_appointments,
    models_books,
    models_cases,
    models_checklists,
    models_digests,
    models_documents,
    models_feedback,
    models_meetings,
    models_people,
    models_shifts,
    models_slack,
    models_stock,
    models_tasks,
)
from storage.base import Base

metadata = Base.metadata

__all__ = [
    "metadata",
    "models",
    "models_answers",
    "models_appointments",
    "models_books",
    "models_cases",
    "models_checklists",
    "models_digests",
    "models_documents",
    "models_feedback",
    "models_meetings",
    "models_people",
    "models_shifts",
    "models_slack",
    "models_stock",
    "models_tasks",
]
