// The session-state feed in a Node service, from the packed npm tarball: one Verifier with
// policy 'refuse' (/api) and one with policy 'stateless' (/api-stateless), each kept current
// by a SessionFeed on a timer from the Django issuer's /sso/state/ and /sso/jwks/.
// argv: <config JSON file> <port file>. /status answers both feeds' status.
import { createServer } from 'node:http';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { Verifier, SessionFeed } from 'drf-sso-jwt';

const [configPath, portFile] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const feeds = {};
const verifiers = {};
for (const policy of ['refuse', 'stateless']) {
  const v = new Verifier(config.settings, config.keys, { sessionState: { policy } });
  verifiers[policy] = v;
  feeds[policy] = new SessionFeed(v, { state: config.stateUrl, keys: config.keysUrl, interval: config.interval, policy }).start();
}

function send(res, r) {
  if (r instanceof Response) {
    r.text().then((body) => {
      res.writeHead(r.status, Object.fromEntries(r.headers));
      res.end(body);
    });
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/status') return send(res, { refuse: feeds.refuse.status, stateless: feeds.stateless.status });
  const policy = url.pathname === '/api-stateless' ? 'stateless' : url.pathname === '/api' ? 'refuse' : null;
  if (!policy) {
    res.writeHead(404);
    return res.end();
  }
  const auth = verifiers[policy].authenticateRequest(req, { required: true });
  send(res, auth instanceof Response ? auth : { uid: auth.payload.uid, sid: auth.payload.sid });
});
server.listen(0, '127.0.0.1', () => {
  writeFileSync(portFile + '.tmp', String(server.address().port));
  renameSync(portFile + '.tmp', portFile);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
