"""A message a person will read, named by its catalog key and filled in by the translation layer.

The domain never formats sentences itself: it says *what* to tell, in a `Msg`, and the renderer picks the
words in the reader's language. A parameter can itself be a `Msg` (for example a role's name).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Msg:
    key: str
    params: Mapping[str, str | int | Msg] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def of(cls, key: str, **params: str | int | Msg) -> Msg:
        return cls(key, MappingProxyType(dict(params)))
