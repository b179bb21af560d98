"""The viewer's time zone: the browser reports it in a cookie (static/js/timezone.js), this
middleware activates it for the request; without one (or with a name that is not a zone) the
site's zone, Asia/Tokyo, applies."""

import zoneinfo
from urllib.parse import unquote

from django.utils import timezone

COOKIE_NAME = "tz"


def zone_named(name: str | None) -> zoneinfo.ZoneInfo | None:
    if not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class ViewerTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = zone_named(unquote(request.COOKIES.get(COOKIE_NAME, "")))
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
