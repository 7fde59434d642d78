// Next.js middleware (Edge runtime): guards /edge/*. The package's `edge-light` entry ships its
// .wasm precompiled, so nothing is compiled at run time and next.config needs no entry.
import { NextResponse } from 'next/server';
import { getVerifier } from './lib/verifier.js';

export const config = { matcher: '/edge/:path*' };

export function middleware(request) {
  const auth = getVerifier().authenticateRequest(request, { required: true });
  if (auth instanceof Response) return auth; // DRF's 401: {"detail": ...}, WWW-Authenticate
  const { uid, sid, token } = auth.payload;
  return NextResponse.json({ runtime: 'edge', uid, sid, token });
}
