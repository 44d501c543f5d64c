"""The issue lifecycle as plain rules: states, moves, and who may make them.

open 待整改 -> rectifying 整改中 -> submitted 待核查 -> closed 已销号, or sent back
(退回) from submitted to rectifying with a reason. A rectification round moves an
open or rectifying issue to submitted. A closed issue found again by a later visit
is not reopened in place: the new issue links to it (``reopens``).
"""

from __future__ import annotations

from server.accounts.guards import Principal
from server.accounts.policy import RECTIFIERS, may_move_issue, verifier_roles

__all__ = ["MOVES", "RECTIFIERS", "allowed", "may", "target", "verifier_roles"]

STATE_NAMES = {"open": "待整改", "rectifying": "整改中", "submitted": "待核查", "closed": "已销号"}
MOVE_NAMES = {"start": "开始整改", "rectify": "提交整改", "accept": "核查通过并销号", "reject": "退回重新整改"}
#: move -> (states it may start from, state it leads to)
MOVES = {
    "start": ({"open"}, "rectifying"),
    "rectify": ({"open", "rectifying"}, "submitted"),
    "accept": ({"submitted"}, "closed"),
    "reject": ({"submitted"}, "rectifying"),
}


#: who may make a move: the rule lives in the policy module
may = may_move_issue


def allowed(p: Principal, issue: dict, *, county_verifies: bool = False) -> list[str]:
    """The moves ``p`` may make now."""
    return [m for m, (sources, _) in MOVES.items()
            if issue["state"] in sources and may(p, m, issue, county_verifies=county_verifies)]


def target(move: str) -> str:
    return MOVES[move][1]
