"""Public pages for people (not inside badges, so free to evolve, unlike the OB URLs)."""

from django.urls import path

from badges.views import evidence, public, wallet_page

urlpatterns = [
    path("verify/", public.verify, name="verify"),
    path("credentials/<uuid:public_id>/", public.credential_page, name="credential-page"),
    path("evidence/<uuid:public_id>/<str:filename>", evidence.evidence_file, name="evidence-file"),
    path(
        "credentials/<uuid:public_id>/wallet/",
        wallet_page.credential_wallet,
        name="credential-wallet",
    ),
    path(
        "credentials/<uuid:public_id>/ob2.json",
        public.credential_ob2_json,
        name="credential-ob2-json",
    ),
]
