"""What can go wrong sending on WhatsApp, in one vocabulary for the send answer and the status
webhook alike, and whether trying again can help.

The Cloud API reports some failures when the call is made (a rate limit, an unknown template)
and others only later, as a `failed` status (not a WhatsApp user, the 24-hour window closed, the
messaging limit). A sender sees both as a `Refusal` with the same `WhatsAppProblem`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class WhatsAppProblem(enum.Enum):
    """Why a message did not go, by what a sender should do about it."""

    OUTSIDE_WINDOW = "outside_window"  # 131047: free-form after 24 h of silence; send a template
    NOT_A_USER = "not_a_user"  # 131026: the number is not on WhatsApp; use another channel
    RATE_LIMITED = "rate_limited"  # 130429 throughput, 131056 pair rate: wait and try again
    TIER_LIMIT = "tier_limit"  # 131048: too many new users in 24 h: later, not now
    TEMPLATE_MISSING = "template_missing"  # 132001 (and paused/disabled templates)
    TEMPLATE_PARAMS = "template_params"  # 132000: the wrong number of parameters
    BAD_REQUEST = "bad_request"  # 100, 131008, 131009, ...: our body is wrong
    AUTH = "auth"  # 190, 0, 10: the token is wrong or expired
    SERVER = "server"  # 5xx, timeouts, 131000, 131016: Meta's side; try again


# Problems for which sending the same message again, unchanged, can succeed.
RETRYABLE = frozenset(
    {WhatsAppProblem.RATE_LIMITED, WhatsAppProblem.TIER_LIMIT, WhatsAppProblem.SERVER}
)

_BY_CODE = {
    131047: WhatsAppProblem.OUTSIDE_WINDOW,
    131026: WhatsAppProblem.NOT_A_USER,
    130429: WhatsAppProblem.RATE_LIMITED,
    131056: WhatsAppProblem.RATE_LIMITED,
    80007: WhatsAppProblem.RATE_LIMITED,
    4: WhatsAppProblem.RATE_LIMITED,
    131048: WhatsAppProblem.TIER_LIMIT,
    132001: WhatsAppProblem.TEMPLATE_MISSING,
    132015: WhatsAppProblem.TEMPLATE_MISSING,
    132016: WhatsAppProblem.TEMPLATE_MISSING,
    132000: WhatsAppProblem.TEMPLATE_PARAMS,
    190: WhatsAppProblem.AUTH,
    0: WhatsAppProblem.AUTH,
    10: WhatsAppProblem.AUTH,
    1: WhatsAppProblem.SERVER,
    2: WhatsAppProblem.SERVER,
    131000: WhatsAppProblem.SERVER,
    131016: WhatsAppProblem.SERVER,
}

# Seconds to wait before the same message may go again, when the code says.
_WAIT = {
    130429: 1.0,  # a one-second throughput window
    131056: 6.0,  # one message every 6 seconds to one user
    80007: 60.0,
    4: 60.0,
    131048: 3600.0,  # a rolling day frees slots as the oldest conversations age out
}


def problem_of(code: int | None, http_status: int | None = None) -> WhatsAppProblem:
    """The problem a Graph error code (or, without one, an HTTP status) stands for."""
    if code is not None and code in _BY_CODE:
        return _BY_CODE[code]
    if http_status is not None and http_status >= 500:
        return WhatsAppProblem.SERVER
    if http_status in (401, 403):
        return WhatsAppProblem.AUTH
    return WhatsAppProblem.BAD_REQUEST


@dataclass(frozen=True)
class Refusal:
    """A message WhatsApp did not take or did not deliver: why, and when to try again."""

    problem: WhatsAppProblem
    code: int | None = None
    detail: str = ""
    retry_after: float | None = None

    @property
    def retryable(self) -> bool:
        """Whether the same message may be sent again (after `retry_after`, if given).
        Never for a closed window, a non-user, a template problem, auth or a bad request."""
        return self.problem in RETRYABLE

    @classmethod
    def of(cls, code: int | None, detail: str = "", http_status: int | None = None) -> Refusal:
        problem = problem_of(code, http_status)
        wait = _WAIT.get(code) if code is not None else None
        return cls(problem, code, detail, wait)


class RefusedError(Exception):
    """A management call (templates) that WhatsApp refused; sends return a Refusal instead."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(f"{refusal.problem.value} ({refusal.code}): {refusal.detail}")
        self.refusal = refusal
