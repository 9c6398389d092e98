"""Outcomes and plans as plain JSON-able dicts, for the API and the portal.

Shapes (keys always present, lists sorted as the engine produced them):

* outcome: ``{kind, path, satisfied, progress, counted, needed, missing: {credentials,
  indicators, external, hours, signoff}, reasons: [{code, text, subject}], hints:
  [{crosswalk, source, target, relation, status, text}], used: [...], children: [...]}``;
  the root also has ``awaiting_signoff`` (and ``as_of`` when given).
* plan: ``{feasible, proven_optimal, already_satisfied, total_hours, nodes_explored,
  needs_signoff, needs_assessment, blocked: [reason], steps: [{code, version,
  effort_hours, after, title}]}``.

``progress`` is rounded to 3 decimals and stays below 1 while a node is unsatisfied.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pathways.stacking.engine.achievements import Hint
from pathways.stacking.engine.evaluate import Missing
from pathways.stacking.engine.evaluate import Outcome
from pathways.stacking.engine.evaluate import Reason
from pathways.stacking.engine.planner import Plan


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 3)


def _progress(outcome: Outcome) -> float:
    if outcome.satisfied:
        return 1.0
    return min(round(outcome.progress, 3), 0.999)


def reason_to_dict(reason: Reason) -> dict[str, str]:
    """A reason as ``{code, text, subject}``."""
    return {"code": reason.code, "text": reason.text, "subject": reason.subject}


def hint_to_dict(hint: Hint) -> dict[str, str]:
    """A hint as ``{crosswalk, source, target, relation, status, text}``."""
    return {
        "crosswalk": hint.crosswalk,
        "source": hint.source,
        "target": hint.target,
        "relation": hint.relation,
        "status": hint.status,
        "text": hint.text,
    }


def missing_to_dict(missing: Missing) -> dict[str, Any]:
    """What is missing, every key present."""
    return {
        "credentials": list(missing.credentials),
        "indicators": list(missing.indicators),
        "external": list(missing.external),
        "hours": _number(missing.hours),
        "signoff": missing.signoff,
    }


def outcome_to_dict(outcome: Outcome, *, as_of: dt.date | None = None) -> dict[str, Any]:
    """An outcome tree as plain data (see the module docstring)."""
    data = _node(outcome)
    data["awaiting_signoff"] = outcome.awaiting_signoff
    if as_of is not None:
        data["as_of"] = as_of.isoformat()
    return data


def _node(outcome: Outcome) -> dict[str, Any]:
    return {
        "kind": outcome.kind,
        "path": outcome.path,
        "satisfied": outcome.satisfied,
        "progress": _progress(outcome),
        "counted": _number(outcome.counted),
        "needed": _number(outcome.needed),
        "missing": missing_to_dict(outcome.missing),
        "reasons": [reason_to_dict(reason) for reason in outcome.reasons],
        "hints": [hint_to_dict(hint) for hint in outcome.hints],
        "used": sorted(outcome.used),
        "children": [_node(child) for child in outcome.children],
    }


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """A plan as plain data (see the module docstring)."""
    return {
        "feasible": plan.feasible,
        "proven_optimal": plan.proven_optimal,
        "already_satisfied": plan.already_satisfied,
        "total_hours": _number(plan.total_hours),
        "nodes_explored": plan.nodes_explored,
        "needs_signoff": plan.needs_signoff,
        "needs_assessment": list(plan.needs_assessment),
        "blocked": [reason_to_dict(reason) for reason in plan.blocked],
        "steps": [
            {
                "code": step.code,
                "version": step.version,
                "effort_hours": _number(step.effort_hours),
                "after": list(step.after),
                "title": step.title,
            }
            for step in plan.steps
        ],
    }
