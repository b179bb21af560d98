"""Staff UI in the Django admin. Permissions come from Membership roles (issuers.admin.may),
querysets from credentials.selectors, and every write goes through credentials.services."""

from . import awards, batches, learners, programmes, recognitions  # noqa: F401 - registers admins
