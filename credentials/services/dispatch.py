"""Hand issued and revoked awards to the badges app, which credentials must not import.

Tasks are looked up by name after the transaction commits, so a worker never sees an award
that a rollback later undoes, and credentials works before badges exists.
"""

import logging

from celery import current_app as app
from django.db import transaction

logger = logging.getLogger(__name__)

ISSUE_BADGES_TASK = "badges.issue_award_badges"
REVOKE_BADGES_TASK = "badges.revoke_award_badges"
SUSPENSION_TASK = "badges.set_award_suspension"
RUN_BATCH_TASK = "badges.run_batch"


def dispatch_task(name: str, *args) -> None:
    """Queue the task registered as `name` (for an award, a batch, …), if an app registered it."""
    task = app.tasks.get(name)
    if task is None:
        logger.info("No task named %s is registered; %s was not dispatched.", name, args)
        return
    task.delay(*args)


def dispatch_after_commit(name: str, *args) -> None:
    # robust: the award is committed and stays the source of truth even if queueing fails;
    # Django logs the failure and the badge can be issued again from the award (a batch is
    # picked up by the badges app's sweep).
    transaction.on_commit(lambda: dispatch_task(name, *args), robust=True)
