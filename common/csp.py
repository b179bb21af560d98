"""django-csp's middleware, with the site-wide policy headers built once.

django-csp builds the same Content-Security-Policy string from the settings for every response:
about a sixth of the CPU of a kept public document's request (docs/benchmarks.md, public edge).
Here a response without a policy of its own gets exactly the strings django-csp would build,
made once per value of the settings. A view with its own policy (``csp.decorators``:
``_csp_config``/``_csp_update``/``_csp_replace`` and their report-only twins), a request whose
nonce was used, and DEBUG's error pages still go through django-csp unchanged."""

from __future__ import annotations

import functools

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings

_PER_VIEW = tuple(
    f"_csp_{part}{suffix}" for part in ("config", "update", "replace") for suffix in ("", "_ro")
)
_SETTINGS = ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")


@functools.lru_cache(maxsize=8)
def _policies(_settings_key: str) -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """(header, policy, exemption attribute, excluded path prefixes), enforced then report-only."""
    made = []
    for header, setting, exempt, report_only in (
        (HEADER, _SETTINGS[0], "_csp_exempt", False),
        (HEADER_REPORT_ONLY, _SETTINGS[1], "_csp_exempt_ro", True),
    ):
        policy = build_policy(report_only=report_only)
        prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
        made.append((header, policy, exempt, tuple(prefixes)))
    return tuple(made)


def _settings_key() -> str:
    return repr([getattr(settings, name, None) for name in _SETTINGS])


class CSPMiddleware(DjangoCSPMiddleware):
    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _PER_VIEW)
            or (settings.DEBUG and response.status_code in (404, 500))
        ):
            return super().process_response(request, response)
        for header, policy, exempt, prefixes in _policies(_settings_key()):
            if (
                policy
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(prefixes)
            ):
                response[header] = policy
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
