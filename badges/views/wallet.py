"""OpenID4VCI endpoints a wallet calls (badges/wallet). JSON in and out; the errors are the
OAuth 2.0 / OpenID4VCI error objects wallets understand ({"error", "error_description"})."""

import json

from django.http import Http404, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from badges import ob3
from badges.models import CredentialOffer
from badges.wallet import exchanges, metadata, offers
from badges.wallet.offers import CONFIGURATIONS, OfferError
from badges.wallet.proofs import ProofError, check_proof, new_nonce


def _json(body: dict, status: int = 200, *, cacheable: bool = False) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=300" if cacheable else "no-store"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _json_object(request) -> dict | None:
    """The request body as a JSON object ({} when empty), or None when it is not one."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _error(code: str, description: str, status: int = 400) -> JsonResponse:
    response = _json({"error": code, "error_description": description}, status)
    if status == 401:
        response["WWW-Authenticate"] = f'Bearer error="{code}"'
    return response


@require_safe
def credential_issuer_metadata(request):
    return _json(metadata.credential_issuer_metadata(), cacheable=True)


@require_safe
def authorization_server_metadata(request):
    return _json(metadata.authorization_server_metadata(), cacheable=True)


def _open_offer(public_id) -> CredentialOffer:
    found = CredentialOffer.objects.select_related("record").filter(public_id=public_id).first()
    if found is None or found.used_at is not None or found.expires_at <= timezone.now():
        raise Http404
    return found


@require_safe
def offer(request, public_id):
    """The offer by reference: served while it can still be used."""
    return _json(offers.offer_document(_open_offer(public_id)))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def exchange(request, public_id):
    """VC-API exchange (badges/wallet/exchanges.py). GET: the interaction URL's answer, the
    protocols this offer speaks. POST {}: the presentation request; POST with the wallet's
    verifiablePresentation: the credential, bound to the DID that signed it."""
    found = _open_offer(public_id)
    if request.method == "GET":
        hand_out = offers.hand_out(found)
        return _json(
            {"protocols": {"vcapi": exchanges.exchange_url(found), "OID4VCI": hand_out.deep_link}}
        )
    body = _json_object(request)
    if body is None:
        return _error("invalid_request", "the body must be a JSON object")
    presentation = body.get("verifiablePresentation")
    if presentation is None:
        return _json(exchanges.presentation_request(found))
    try:
        holder = exchanges.holder_of(found, presentation)
        bound = offers.issue_by_exchange(offer=found, holder=holder, request=request)
    except OfferError as error:
        return _error(error.code, error.description, error.status)
    return _json(
        {
            "verifiablePresentation": {
                "@context": [ob3.VC_V2],
                "type": ["VerifiablePresentation"],
                "verifiableCredential": [bound.credential],
            }
        }
    )


@csrf_exempt
@require_POST
def token(request):
    grant_type = request.POST.get("grant_type")
    if grant_type != offers.PRE_AUTHORIZED_GRANT:
        return _error("unsupported_grant_type", f"grant_type must be {offers.PRE_AUTHORIZED_GRANT}")
    try:
        access_token, seconds = offers.redeem_code(
            request.POST.get("pre-authorized_code"), request.POST.get("tx_code")
        )
    except OfferError as error:
        return _error(error.code, error.description, error.status)
    return _json({"access_token": access_token, "token_type": "Bearer", "expires_in": seconds})


@csrf_exempt
@require_POST
def nonce(request):
    return _json({"c_nonce": new_nonce()})


def _bearer(request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() in ("bearer", "dpop") else ""


def _proof_jwt(body: dict):
    proof = body.get("proof")
    if isinstance(proof, dict) and proof.get("proof_type") == "jwt":
        return proof.get("jwt")
    proofs = body.get("proofs")
    if isinstance(proofs, dict) and isinstance(proofs.get("jwt"), list) and len(proofs["jwt"]) == 1:
        return proofs["jwt"][0]
    return None


@csrf_exempt
@require_POST
def credential(request):
    try:
        offers.offer_for_token(_bearer(request))
    except OfferError as error:
        return _error(error.code, error.description, error.status)
    body = _json_object(request)
    if body is None:
        return _error("invalid_credential_request", "the body must be a JSON object")
    configuration = body.get("credential_configuration_id")
    if configuration not in CONFIGURATIONS:
        return _error(
            "unknown_credential_configuration",
            f"credential_configuration_id must be one of {', '.join(CONFIGURATIONS)}",
        )
    proof = _proof_jwt(body)
    if proof is None:
        return _error("invalid_proof", "one proof of type jwt is required")
    try:
        holder = check_proof(proof, audience=offers.issuer_url())
        bound = offers.issue_to_holder(
            token=_bearer(request), holder=holder, configuration_id=configuration, request=request
        )
    except (ProofError, OfferError) as error:
        return _error(error.code, error.description, getattr(error, "status", 400))
    issued = bound.token if bound.format == "jwt_vc_json" else bound.credential
    return _json({"credentials": [{"credential": issued}]})
