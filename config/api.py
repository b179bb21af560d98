"""OpenAPI wiring: the bearer scheme's description and the 406 every operation can answer.
The API plumbing itself (problem responses, idempotency) lives in the bottom package `common`.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiClientAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "issuers.authentication.ApiClientAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API client token (mcp_…) created by issuer staff in the admin or with "
                "`manage.py create_api_client`. Each token belongs to one issuer and carries "
                "scopes: programs:read, programs:write, learners:write, assessments:write, "
                "awards:read, awards:write, awards:revoke, webhooks:manage."
            ),
        }


def document_not_acceptable(result, generator, request, public):
    """drf-spectacular hook: every operation can answer 406 when the Accept header asks for
    nothing it renders (JSON, and CSV where listed), with a problem document."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault(
                    "406",
                    {
                        "description": "Not Acceptable: the Accept header names no format this "
                        "operation renders (application/problem+json, RFC 9457)."
                    },
                )
    return result
