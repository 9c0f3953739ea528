"""Solver parameters as a validated, immutable value."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.errors import InvalidInput


class Backend(StrEnum):
    AUTO = "auto"
    ORTOOLS = "ortools"
    PYVRP = "pyvrp"


@dataclass(frozen=True)
class SolveParams:
    """How long and how to search.

    `iteration_limit` bounds the search by work instead of wall-clock time, which makes a
    solve repeatable for a fixed `seed`: PyVRP stops after that many iterated-local-search
    iterations, OR-Tools after that many accepted solutions (or a thousand rejected moves
    per allowed solution, whichever comes first). When both limits are set the first one
    reached stops the search; tests use the iteration limit alone. OR-Tools has no seed of
    its own here: it is deterministic for a given model and limit.
    """

    backend: Backend = Backend.AUTO
    time_limit_s: float | None = 10.0
    iteration_limit: int | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "backend", Backend(self.backend))
        except ValueError:
            raise InvalidInput(
                f"unknown backend {self.backend!r}; use auto, ortools or pyvrp",
                code="unknown_backend",
            ) from None
        if self.time_limit_s is None and self.iteration_limit is None:
            raise InvalidInput("set a time limit or an iteration limit", code="no_limit")
        if self.time_limit_s is not None and self.time_limit_s <= 0:
            raise InvalidInput("the time limit must be positive", code="bad_time_limit")
        if self.iteration_limit is not None and self.iteration_limit <= 0:
            raise InvalidInput("the iteration limit must be positive", code="bad_iteration_limit")
        if self.seed < 0:
            raise InvalidInput("the seed cannot be negative", code="bad_seed")
