from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe
from drf_spectacular.views import SpectacularSwaggerSplitView

from issuers.images import harden_image_response

# Uploaded files that are public (linked from badges and the staff pages); baked badges have
# their own view (badges:baked-image) and nothing else under MEDIA_ROOT is served.
PUBLIC_MEDIA_PREFIXES = ("issuers/logos/", "credentials/badges/")
MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}


@require_GET
def home(request):
    return render(request, "home.html")


@never_cache
@require_GET
def healthz(request):
    """Liveness for the load balancer and compose health checks: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_safe
def media(request, path: str):
    """Uploaded images (issuer logos, badge images) with the headers that keep them inert.

    Production has no separate media host, so the portal serves these itself: with the image
    CSP (sandbox, nothing loads), nosniff, and SVGs as downloads when opened as a page.
    """
    extension = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if not path.startswith(PUBLIC_MEDIA_PREFIXES) or extension not in MEDIA_TYPES:
        raise Http404
    try:
        if not default_storage.exists(path):
            raise Http404
        file = default_storage.open(path, "rb")
    except (SuspiciousFileOperation, ValueError) as error:
        raise Http404 from error
    content_type = MEDIA_TYPES[extension]
    response = FileResponse(
        file,
        content_type=content_type,
        as_attachment=content_type == "image/svg+xml",
        filename=path.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return harden_image_response(response)


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI without inline script: the split view loads its init script by URL, and the
    bundle is served from our static files (drf-spectacular-sidecar), so the site-wide policy
    (script-src 'self') holds here too."""
