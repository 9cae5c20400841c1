"""The network between a bot and Telegram, as the emulator models it.

A call travels half its round trip to Telegram, is counted against the limits when it arrives,
and its answer travels the other half back. Each half is drawn on its own:
`round_trip / 2 ± jitter / 2`, uniformly, so round trips fall within `round_trip ± jitter` and
arrivals are uncertain by `jitter` in all (the spread a sender has to allow for).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$")


def parse_duration(text: str) -> float:
    """Seconds from "250ms", "0.25s" or a bare number of milliseconds ("250")."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"not a duration: {text!r} (e.g. 250ms or 0.25s)")
    value = float(match.group(1))
    return value if match.group(2) == "s" else value / 1000


@dataclass(frozen=True)
class Latency:
    round_trip: float = 0.0
    jitter: float = 0.0
    seed: int | None = None
    _random: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.round_trip < 0 or self.jitter < 0 or self.jitter > self.round_trip:
            raise ValueError("a round trip and its jitter are ≥ 0, the jitter at most the trip")
        object.__setattr__(self, "_random", random.Random(self.seed))

    @property
    def enabled(self) -> bool:
        return self.round_trip > 0

    def one_way(self) -> float:
        """Seconds for one direction of one call."""
        spread = self.jitter / 2
        return self.round_trip / 2 + self._random.uniform(-spread, spread)


NO_LATENCY = Latency()
