"""Evidence files named in badges: served as downloads from a path no page lives on, with the
portal's hardened file headers, only where the learner shows their credential (its public page
is visible) or to the learner themselves."""

from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from credentials.models import Award, EvidenceFile
from credentials.selectors import session_learner_id
from issuers.images import harden_image_response


def _shown(evidence: EvidenceFile, request) -> bool:
    assessment = evidence.assessment
    if session_learner_id(request.session) == assessment.learner_id:
        return True
    return Award.objects.filter(
        assessment=assessment, status=Award.Status.ISSUED, public_page_visible=True
    ).exists()


@require_safe
def evidence_file(request, public_id, filename: str):
    evidence = EvidenceFile.objects.select_related("assessment").filter(public_id=public_id).first()
    if evidence is None or evidence.name != filename or not _shown(evidence, request):
        raise Http404
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.name,
        content_type=evidence.content_type,
    )
    response["Cache-Control"] = "private, max-age=300"
    return harden_image_response(response)
