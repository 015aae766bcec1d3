"""Tables of the tasks capability."""

from __future__ import annotations
