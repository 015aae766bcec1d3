"""Tables of the checklists capability."""

from __future__ import annotations
