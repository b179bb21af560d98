"""{% audit_history obj %}: an object's audit events on its admin page (e.g. an award's)."""

from django import template
from django.urls import reverse
from django.utils import timezone

from issuers.audit_labels import action_label
from issuers.selectors import audit_events_for

register = template.Library()

# An object's history is short; a long one links to the filtered audit trail for the rest.
SHOWN = 50


@register.inclusion_tag("admin/issuers/_audit_history.html", takes_context=True)
def audit_history(context, obj):
    request = context.get("request")
    user = getattr(request, "user", None)
    if obj is None or user is None:
        return {"events": [], "shown": False}
    events = list(audit_events_for(obj, user=user)[: SHOWN + 1])
    return {
        "shown": True,
        "events": [
            {
                "event": event,
                "time": timezone.localtime(event.created_at),
                "action": action_label(event.action),
                "url": reverse("admin:issuers_auditevent_change", args=[event.pk]),
            }
            for event in events[:SHOWN]
        ],
        "more": len(events) > SHOWN,
        "trail_url": reverse("admin:issuers_auditevent_changelist")
        + f"?target_type={obj._meta.label_lower}&target_id={obj.pk}",
        "time_zone_name": timezone.get_current_timezone_name(),
    }
