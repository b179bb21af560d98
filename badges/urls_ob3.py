from django.urls import path

from badges.views import ob3, ob3_jwt

urlpatterns = [
    path("issuers/<slug:slug>/did.json", ob3.did_document, name="did-document"),
    path("ob3/credentials/<uuid:public_id>", ob3.credential, name="ob3-credential"),
    path("ob3/credentials/<uuid:public_id>.jwt", ob3_jwt.credential_jwt, name="ob3-credential-jwt"),
    path(
        "ob3/achievements/<slug:issuer_slug>/<slug:programme_slug>/v<int:number>",
        ob3.achievement,
        name="ob3-achievement",
    ),
    path(
        "ob3/achievements/<slug:issuer_slug>/<slug:programme_slug>/v<int:number>/image",
        ob3.achievement_image,
        name="ob3-achievement-image",
    ),
    path("ob3/endorsements/<uuid:public_id>", ob3.endorsement, name="ob3-endorsement"),
    path("status/<uuid:public_id>", ob3.status_list, name="status-list"),
    path("contexts/mc/v1.jsonld", ob3.mc_context, name="mc-context"),
    path("contexts/mc/v1.schema.json", ob3.mc_schema, name="mc-schema"),
    path(
        "badges/<uuid:public_id>/ob3-jwt.<str:suffix>",
        ob3_jwt.baked_jwt_image,
        name="baked-jwt-image",
    ),
    path("badges/<uuid:public_id>/<str:variant>", ob3.baked_image, name="baked-image"),
]
