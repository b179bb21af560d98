from django.urls import path

from badges.views import wallet

urlpatterns = [
    path(
        ".well-known/openid-credential-issuer",
        wallet.credential_issuer_metadata,
        name="wallet-issuer-metadata",
    ),
    path(
        ".well-known/oauth-authorization-server",
        wallet.authorization_server_metadata,
        name="wallet-as-metadata",
    ),
    path("oid4vci/offers/<uuid:public_id>", wallet.offer, name="wallet-offer"),
    path("exchanges/<uuid:public_id>", wallet.exchange, name="wallet-exchange"),
    path("oid4vci/token", wallet.token, name="wallet-token"),
    path("oid4vci/nonce", wallet.nonce, name="wallet-nonce"),
    path("oid4vci/credential", wallet.credential, name="wallet-credential"),
]
