// One Verifier per server instance (settings and keys are parsed once): REST_FRAMEWORK_SSO
// and the public keys (a JWKS, or {fileName: PEM}) come from the environment as JSON.
import { Verifier } from 'drf-sso-jwt';

let verifier;
export function getVerifier() {
  verifier ??= new Verifier(JSON.parse(process.env.SSO_SETTINGS), JSON.parse(process.env.SSO_KEYS));
  return verifier;
}
