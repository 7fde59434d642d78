"""drf_sso_feed: the signed documents an edge needs to give djangorestframework-sso's full
`JWTAuthentication.authenticate` verdict (drf-sso-jwt's session state): the session state
(revoked sessions, superseding re-issues, inactive and deleted users) and the JWKS of the
server's public keys, both JWS signed with the server's own private key."""
