// A route handler on the Node runtime (the default): the package's `node` entry reads its
// .wasm on first use.
import { getVerifier } from '../../../../lib/verifier.js';

export const dynamic = 'force-dynamic';

export function GET(request) {
  const auth = getVerifier().authenticateRequest(request, { required: true });
  if (auth instanceof Response) return auth;
  const { uid, sid, token } = auth.payload;
  return Response.json({ runtime: 'node', uid, sid, token });
}
