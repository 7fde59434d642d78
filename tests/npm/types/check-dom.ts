// With the DOM lib and esnext.disposable: the host's Response/Request/URL types and `using`.
import { Verifier, init } from 'drf-sso-jwt';

export async function handler(request: Request): Promise<Response> {
  await init(new URL('verify.wasm', 'https://example.test/'));
  await init(fetch('verify.wasm'));
  using verifier = new Verifier({ IDENTITY: 'myapp' }, { keys: [] });
  const auth = verifier.authenticateRequest(request, { required: true });
  if (auth instanceof Response) return auth;
  if (auth === null) return new Response(null, { status: 204 });
  return Response.json({ uid: auth.payload.uid });
}
