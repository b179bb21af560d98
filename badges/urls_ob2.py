"""Open Badges 2.0 URLs (names per the portal's URL contract; they are inside issued badges)."""

from django.urls import path

from badges.views import ob2

BADGECLASS = "ob2/badgeclasses/<slug:issuer_slug>/<slug:programme_slug>/v<int:number>"

urlpatterns = [
    path("ob2/issuers/<slug:slug>", ob2.issuer, name="ob2-issuer"),
    path("ob2/issuers/<slug:slug>/revocations", ob2.revocations, name="ob2-revocations"),
    path("ob2/issuers/<slug:slug>/keys/<slug:key_id>", ob2.issuer_for_key, name="ob2-issuer-key"),
    path("ob2/keys/<slug:key_id>", ob2.key, name="ob2-key"),
    path(BADGECLASS, ob2.badgeclass, name="ob2-badgeclass"),
    path(f"{BADGECLASS}/image", ob2.badgeclass_image, name="ob2-badgeclass-image"),
    path(f"{BADGECLASS}/keys/<slug:key_id>", ob2.badgeclass_for_key, name="ob2-badgeclass-key"),
    path("ob2/assertions/<uuid:public_id>", ob2.assertion, name="ob2-assertion"),
    path("ob2/endorsements/<uuid:public_id>", ob2.endorsement, name="ob2-endorsement"),
    path("contexts/ob2-mc/v1.jsonld", ob2.extension_context, name="ob2-extension-context"),
    path("contexts/ob2-mc/v1.schema.json", ob2.extension_schema, name="ob2-extension-schema"),
    path(
        "contexts/ob2-mc/v1.issuer.schema.json",
        ob2.extension_issuer_schema,
        name="ob2-extension-issuer-schema",
    ),
]
