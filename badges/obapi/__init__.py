"""The 1EdTech Open Badges 3.0 API, the parts that fit an issuer: service discovery, dynamic
client registration (RFC 7591), the authorisation code grant with PKCE S256, refresh and
revocation (django-oauth-toolkit), and the learner's credentials and profile
(GET /ims/ob/v3p0/credentials, /profile). docs/wallets.md describes it for integrators.
"""
