"""Every write to the educational record. Each function checks the actor's role and audits."""

from .assessments import record_assessment
from .awards import approve_award, issue_award, propose_award, revoke_award
from .learners import register_learner
from .programmes import (
    create_programme,
    publish_programme,
    retire_programme,
    revise_programme,
    set_stack_requirement,
    update_programme_draft,
)
from .stacks import evaluate_stacks

__all__ = [
    "approve_award",
    "create_programme",
    "evaluate_stacks",
    "issue_award",
    "propose_award",
    "publish_programme",
    "record_assessment",
    "register_learner",
    "retire_programme",
    "revise_programme",
    "revoke_award",
    "set_stack_requirement",
    "update_programme_draft",
]
