"""OAuth 2.0 authorization server (Authlib) and the 1EdTech Open Badges 3.0 API it guards.

Wallets and backpacks register themselves (RFC 7591), a learner approves them on a consent
page, and they read the learner's credentials and profile or push outside credentials in,
at `/ims/ob/v3p0/...`, with short-lived bearer tokens limited to the approved scopes.
"""
