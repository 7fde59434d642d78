// The session-state feed in a Cloudflare Worker (workerd), from the packed npm tarball:
// timers do not run between requests, so each request calls `feed.sync(ctx)` (waits for a
// round when no fresh state is in force, else refreshes in the background when one is due).
import { Verifier, SessionFeed } from 'drf-sso-jwt';

let verifier;
let feed;

export default {
  async fetch(request, env, ctx) {
    if (!verifier) {
      const config = JSON.parse(env.CONFIG);
      verifier = new Verifier(config.settings, config.keys, { sessionState: { policy: 'refuse' } });
      feed = new SessionFeed(verifier, { state: config.stateUrl, keys: config.keysUrl, interval: config.interval });
    }
    const url = new URL(request.url);
    await feed.sync(ctx);
    if (url.pathname === '/status') {
      return new Response(JSON.stringify(feed.status, (_, v) => (typeof v === 'bigint' ? v.toString() : v)), { headers: { 'content-type': 'application/json' } });
    }
    const auth = verifier.authenticateRequest(request, { required: true });
    if (auth instanceof Response) return auth;
    return Response.json({ uid: auth.payload.uid, sid: auth.payload.sid });
  },
};
