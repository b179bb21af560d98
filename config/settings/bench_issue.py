"""The batch-issuing benchmark (``manage.py bench_issue``): the bench settings with real Celery
workers instead of eager tasks, on the queues of CELERY_QUEUE_PREFIX (the command gives each
run its own). Never deploy with these settings: see config/settings/bench.py."""

from .bench import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_IGNORE_RESULT = True  # the benchmark reads the record, not task results
