"""Each action of the table: a request against one object, by kind."""

from __future__ import annotations

from tests.inspections.helpers import new_uuid

#: name -> (object kind, method, path with {id}, JSON body or None)
ACTIONS: dict[str, tuple[str, str, str, dict | None]] = {
    "site.read": ("site", "get", "/api/sites/{id}", None),
    "site.update": ("site", "patch", "/api/sites/{id}", {"households": 321}),
    "inspection.read": ("inspection", "get", "/api/inspections/{id}", None),
    "issue.read": ("issue", "get", "/api/issues/{id}", None),
    "issue.update": ("issue", "patch", "/api/issues/{id}", {"responsible_person": "赵六"}),
    "issue.assign": ("issue", "post", "/api/issues/assignment", {"issue_ids": ["{id}"], "responsible_person": "赵六"}),
    "issue.verify": ("issue", "post", "/api/issues/{id}/verification", {"accept": False, "comment": "未整改到位"}),
    "issue.rectify": ("issue", "post", "/api/issues/{id}/rectifications", None),  # body made per request
    "issue.start": ("issue", "post", "/api/issues/{id}/start", None),
    "photo.read": ("photo", "get", "/api/photos/{id}", None),
    "photo.thumb": ("photo", "get", "/api/photos/{id}/thumb", None),
    "site_photo.read": ("site_photo", "get", "/api/photos/{id}", None),
    "ledger.read": ("ledger", "get", "/api/ledgers/{id}", None),
    "ledger.file": ("ledger", "get", "/api/ledgers/{id}/file", None),
    "user.update": ("user", "patch", "/api/users/{id}", {"display_name": "改名"}),
    # a county's self-inspection plan (县级自查计划): its county team's alone
    "plan.read": ("plan", "get", "/api/plans/{id}", None),
    "plan.adjust": ("planned_visit", "patch", "/api/plans/{id}", {"planned_on": "2026-12-28", "reason": "与县里会议冲突，改期"}),
    "plan.cancel": ("plan", "post", "/api/plans/{id}/cancellation", {"reason": "权限表：撤销自查计划"}),
    "assessment.county": ("county", "get", "/api/assessment/counties/{id}", None),
    # last: it disables the site the actions above used
    "site.status": ("site", "post", "/api/sites/{id}/status", {"active": False, "reason": "权限表：安置点撤并"}),
}


def request_body(action: str, ident: object) -> dict | None:
    """The action's body for the object ``ident`` (a body naming its object says "{id}")."""
    if action == "issue.assign":
        return {**ACTIONS[action][3], "issue_ids": [ident]}
    if action == "issue.rectify":  # a new round each time, naming no photo
        return {"uuid": new_uuid(), "measures": "已整改", "responsible_person": "张三", "completed_on": "2026-12-09"}
    return ACTIONS[action][3]
