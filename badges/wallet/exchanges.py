"""The VC-API exchange the Digital Credentials Consortium's Learner Credential Wallet speaks.

The wallet POSTs to the exchange URL and gets a Verifiable Presentation Request for
DIDAuthentication (a challenge and a domain); it answers with a presentation signed by its DID
(proofPurpose "authentication"), and receives the award's credential re-issued to that DID
(badges.wallet.offers: the same single-use offer an OpenID4VCI wallet redeems).

Challenges are stateless: signed with the site's secret, bound to the offer, timestamped; the
credential a challenge earned stores its hash under a unique constraint, so none is used twice.
"""

import secrets
from urllib.parse import quote, urlencode, urlsplit

from django.core import signing

from badges import dataintegrity, extension
from badges.models import CredentialOffer
from badges.verification.fetch import SafeFetcher
from badges.verification.ob3 import DidResolver
from badges.verification.portal import PortalFetcher
from badges.wallet.offers import OfferError, issuer_url
from badges.wallet.proofs import Holder, nonce_hash

CHALLENGE_SALT = "badges.wallet.exchange"
CHALLENGE_SECONDS = 15 * 60
LCW_REQUEST = "https://lcw.app/request"
DCC_REQUEST = "dccrequest://request"


def exchange_url(offer: CredentialOffer) -> str:
    return extension.portal_url("wallet-exchange", public_id=offer.public_id)


def domain() -> str:
    return urlsplit(issuer_url()).netloc


def new_challenge(offer: CredentialOffer) -> str:
    payload = {"o": offer.public_id.hex, "n": secrets.token_urlsafe(12)}
    return signing.dumps(payload, salt=CHALLENGE_SALT, compress=True)


def presentation_request(offer: CredentialOffer) -> dict:
    return {
        "verifiablePresentationRequest": {
            "query": [
                {
                    "type": "DIDAuthentication",
                    "acceptedMethods": [{"method": "key"}, {"method": "web"}],
                    "acceptedCryptosuites": [{"cryptosuite": "eddsa-rdfc-2022"}],
                }
            ],
            "challenge": new_challenge(offer),
            "domain": domain(),
            "interact": {
                "service": [
                    {
                        "type": "UnmediatedHttpPresentationService2021",
                        "serviceEndpoint": exchange_url(offer),
                    }
                ]
            },
        }
    }


def wallet_links(offer: CredentialOffer) -> dict:
    """The Learner Credential Wallet's deep links (universal and app scheme) for this offer."""
    query = urlencode(
        {
            "issuer": issuer_url(),
            "auth_type": "bearer",
            "challenge": new_challenge(offer),
            "vc_request_url": exchange_url(offer),
        },
        quote_via=quote,
    )
    return {
        "exchange_url": exchange_url(offer),
        "lcw_deep_link": f"{LCW_REQUEST}?{query}",
        "dcc_deep_link": f"{DCC_REQUEST}?{query}",
    }


def holder_of(offer: CredentialOffer, presentation) -> Holder:
    """The DID that authenticated with `presentation`, or OfferError saying why not."""
    if not isinstance(presentation, dict) or not isinstance(presentation.get("proof"), dict):
        raise OfferError("invalid_presentation", "send a verifiablePresentation with a proof")
    proof = presentation["proof"]
    try:
        claims = signing.loads(
            proof.get("challenge"), salt=CHALLENGE_SALT, max_age=CHALLENGE_SECONDS
        )
    except (signing.BadSignature, TypeError) as error:
        raise OfferError("invalid_challenge", "the challenge is unknown or expired") from error
    if claims.get("o") != offer.public_id.hex:
        raise OfferError("invalid_challenge", "the challenge was made for another exchange")
    if proof.get("domain") != domain():
        raise OfferError("invalid_presentation", f"the proof's domain must be {domain()}")
    resolver = DidResolver(PortalFetcher(SafeFetcher()))
    verification = dataintegrity.verify_eddsa_rdfc_2022(
        presentation,
        resolver=resolver,
        document_loader=extension.document_loader(),
        expected_proof_purpose="authentication",
    )
    if not verification.verified:
        raise OfferError(
            "invalid_presentation",
            "the presentation's proof does not verify: " + "; ".join(verification.errors),
        )
    did = (verification.verification_method or "").partition("#")[0]
    holder = presentation.get("holder")
    holder = holder.get("id") if isinstance(holder, dict) else holder
    if holder not in (None, did):
        raise OfferError("invalid_presentation", "the presentation's holder did not sign it")
    return Holder(did=did, nonce_hash=nonce_hash(proof["challenge"]))
