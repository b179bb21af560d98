"""The learner's "download all my credentials" ZIP: every issued award's four baked images
(made when asked, badges.baked) and both signed JSON documents. In badges because the images
are the envelope's: the learner area (credentials) links here by URL name."""

from __future__ import annotations

import json
import re
import tempfile
import zipfile

from django.http import FileResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from badges import baked
from credentials.models import Award
from credentials.selectors import learner_awards
from credentials.views.learner import learner_required


def _ascii(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", value).strip("-") or "credential"


@never_cache
@require_GET
@learner_required
def credentials_zip(request):
    """Every issued award's four baked images and both JSON documents, in one ZIP."""
    archive = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        awards = learner_awards(request.learner).filter(status=Award.Status.ISSUED)
        for award in awards.select_related("badge_record"):
            record = getattr(award, "badge_record", None)
            if record is None:
                continue
            version = award.programme_version
            folder = _ascii(
                f"{version.programme.issuer.slug}_{version.programme.slug}_v{version.number}"
                f"_{str(award.public_id)[:8]}"
            )
            bakers = baked.bakers_for(version)
            for variant in baked.VARIANTS:
                try:
                    data = baked.bake_variant(record, variant, bakers)
                except baked.NotSigned:
                    continue
                bundle.writestr(f"{folder}/{variant}", data)
            for name, document in (
                ("ob3-credential.json", record.ob3_credential),
                ("ob2-assertion.json", record.ob2_assertion),
            ):
                if document:
                    bundle.writestr(
                        f"{folder}/{name}", json.dumps(document, ensure_ascii=False, indent=2)
                    )
    archive.seek(0)
    return FileResponse(
        archive, as_attachment=True, filename="credentials.zip", content_type="application/zip"
    )
