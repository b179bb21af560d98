"""Which Django user stands for a learner in an OAuth 2.0 grant, and back."""

import uuid

from django.contrib.auth import get_user_model
from django.db import transaction

from badges.models import LearnerAccount


@transaction.atomic
def user_for_learner(learner):
    """The learner's OAuth user: no password, no staff rights, created on first consent."""
    account = LearnerAccount.objects.select_related("user").filter(learner=learner).first()
    if account is not None:
        return account.user
    user = get_user_model().objects.create_user(
        username=f"learner-oauth-{uuid.uuid4().hex}", password=None, is_staff=False
    )
    LearnerAccount.objects.create(learner=learner, user=user)
    return user


def learner_for_user(user):
    account = LearnerAccount.objects.select_related("learner").filter(user=user).first()
    return account.learner if account else None
