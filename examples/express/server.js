// Express: a middleware that puts the verified claims on `req.auth`, or sends DRF's 401
// (the helper's Fetch Response, copied onto Express's response).
import express from 'express';
import { Verifier } from 'drf-sso-jwt';

const verifier = new Verifier(JSON.parse(process.env.SSO_SETTINGS), JSON.parse(process.env.SSO_KEYS));

async function requireSso(req, res, next) {
  const auth = verifier.authenticateRequest(req, { required: true }); // reads req.headers.authorization
  if (!(auth instanceof Response)) {
    req.auth = auth;
    return next();
  }
  res.status(auth.status).set(Object.fromEntries(auth.headers)).send(await auth.text());
}

const app = express();
app.get('/api/me', requireSso, (req, res) => {
  const { uid, sid, token } = req.auth.payload;
  res.json({ uid, sid, token });
});

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
