// Hono (here on Node through @hono/node-server; the same app runs on Bun, Deno and Workers):
// a middleware puts the verified claims on the context, or answers with DRF's 401.
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { Verifier } from 'drf-sso-jwt';

const verifier = new Verifier(JSON.parse(process.env.SSO_SETTINGS), JSON.parse(process.env.SSO_KEYS));
const app = new Hono();

app.use('/api/*', async (c, next) => {
  const auth = verifier.authenticateRequest(c.req.raw, { required: true });
  if (auth instanceof Response) return auth;
  c.set('claims', auth.payload);
  await next();
});
app.get('/api/me', (c) => {
  const { uid, sid, token } = c.get('claims');
  return c.json({ uid, sid, token });
});

serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.env.PORT ?? 3000) }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}`);
});
