// Deno.serve with the package from npm (`npm:` specifier; the `deno` entry reads its .wasm,
// hence --allow-read for the package's folder).
import { Verifier } from 'npm:drf-sso-jwt';

const verifier = new Verifier(JSON.parse(Deno.env.get('SSO_SETTINGS')), JSON.parse(Deno.env.get('SSO_KEYS')));

Deno.serve({ hostname: '127.0.0.1', port: Number(Deno.env.get('PORT') ?? 8000) }, (request) => {
  const auth = verifier.authenticateRequest(request, { required: true });
  if (auth instanceof Response) return auth;
  const { uid, sid, token } = auth.payload;
  return Response.json({ uid, sid, token });
});
