"""What a wallet reads before it asks: the credential issuer's metadata (OpenID4VCI 1.0 §12.2)
and the authorisation server's (RFC 8414), the portal being both."""

from django.urls import reverse

from badges import ob3
from badges.wallet.offers import JWT_VC_JSON, LDP_VC, PRE_AUTHORIZED_GRANT, issuer_url
from badges.wallet.proofs import ALGORITHMS

DISPLAY = [
    {"name": "MC Portal マイクロクレデンシャル", "locale": "ja"},
    {"name": "MC Portal micro-credentials", "locale": "en"},
]
CREDENTIAL_DISPLAY = [
    {"name": "マイクロクレデンシャル（Open Badges 3.0）", "locale": "ja"},
    {"name": "Micro-credential (Open Badges 3.0)", "locale": "en"},
]
TYPES = ["VerifiableCredential", "OpenBadgeCredential"]


def _url(name: str) -> str:
    return issuer_url() + reverse(name)


def _configuration(format_: str, signing: list[str], definition: dict) -> dict:
    return {
        "format": format_,
        "scope": "OpenBadgeCredential",
        "credential_definition": definition,
        "cryptographic_binding_methods_supported": ["did:key", "did:jwk", "jwk"],
        "credential_signing_alg_values_supported": signing,
        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": list(ALGORITHMS)}},
        "display": CREDENTIAL_DISPLAY,
    }


def credential_issuer_metadata() -> dict:
    return {
        "credential_issuer": issuer_url(),
        "credential_endpoint": _url("badges:wallet-credential"),
        "nonce_endpoint": _url("badges:wallet-nonce"),
        "display": DISPLAY,
        "credential_configurations_supported": {
            LDP_VC: _configuration(
                "ldp_vc",
                ["eddsa-rdfc-2022"],
                {"@context": [ob3.VC_V2, ob3.OB_V3P0], "type": TYPES},
            ),
            JWT_VC_JSON: _configuration("jwt_vc_json", ["EdDSA"], {"type": TYPES}),
        },
    }


def authorization_server_metadata() -> dict:
    return {
        "issuer": issuer_url(),
        "token_endpoint": _url("badges:wallet-token"),
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": True,
        "response_types_supported": [],
    }
