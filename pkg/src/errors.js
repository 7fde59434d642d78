/** A token, header, settings or key failure, with the Django server's verdict. */
export class SsoError extends Error {
  /**
   * @param {string} code stable machine-readable code (`expired`, `bad_signature`, ...)
   * @param {string} detail the DRF response text (`{"detail": ...}`) the server sends
   * @param {string} message the precise cause, in PyJWT's words where it has them
   * @param {string | null} [claim] the payload claim concerned (`exp`, `sid`, ...), if any
   * @param {'header' | 'payload' | 'signature' | null} [segment] the token segment concerned, if any
   */
  constructor(code, detail, message, claim = null, segment = null) {
    super(message);
    this.name = 'SsoError';
    this.code = code;
    this.detail = detail;
    this.claim = claim;
    this.segment = segment;
  }
}

/** Rethrows what the wasm layer threw: its `SsoError`-named errors become real `SsoError`s. */
export function rethrow(e) {
  if (e !== null && typeof e === 'object' && e.name === 'SsoError' && typeof e.code === 'string' && !(e instanceof Error)) {
    throw new SsoError(e.code, e.detail, e.message, e.claim ?? null, e.segment ?? null);
  }
  throw e;
}
