"""Small helpers the credential admin views share."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404

from credentials.selectors import programme_versions_for_user
from issuers.permissions import Action


def add_service_error(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field if the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item.messages)
    else:
        form.add_error(None, error.messages)


def report_failure(model_admin, request, error: Exception, prefix: str = "") -> None:
    """A failed service call as an admin message (permission or validation)."""
    if isinstance(error, PermissionDenied):
        text = str(error)
    elif isinstance(error, ValidationError):
        text = " ".join(error.messages)
    else:  # pragma: no cover - only the two above are caught by callers
        raise error
    model_admin.message_user(request, f"{prefix}{text}", messages.ERROR)


def visible_version(request, version_id: int, action: Action):
    """A programme version of the user's issuers where they may `action`; 404 otherwise."""
    return get_object_or_404(programme_versions_for_user(request.user, action), pk=version_id)
