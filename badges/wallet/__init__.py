"""Badges that travel to wallets: OpenID for Verifiable Credential Issuance 1.0, the
pre-authorised code flow (docs/wallets.md).

offers.py: making an offer and redeeming it (services); proofs.py: the holder's proof JWT;
metadata.py: the issuer and authorisation-server metadata; views in badges/views/wallet.py.
"""
