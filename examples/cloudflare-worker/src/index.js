// Cloudflare Worker: 200 with the caller's identity, or DRF's 401 (`{"detail": ...}`,
// `WWW-Authenticate: JWT`) exactly as the Django server would answer the same header.
import { Verifier } from 'drf-sso-jwt';

let verifier; // settings and keys parsed once per isolate

export default {
  async fetch(request, env) {
    verifier ??= new Verifier(JSON.parse(env.SSO_SETTINGS), JSON.parse(env.SSO_KEYS));
    const auth = verifier.authenticateRequest(request, { required: true });
    if (auth instanceof Response) return auth;
    const { uid, sid, token } = auth.payload;
    return Response.json({ uid, sid, token });
  },
};
