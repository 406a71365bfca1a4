/**
 * A connection ID and its stateless reset token copied into one buffer: one allocation per
 * connection-ID entry instead of two, for the entries a connection keeps for its lifetime.
 * @module
 */

/** Copies of `cid` and `token` that share one buffer. */
export function copyIdAndToken(cid: Uint8Array, token: Uint8Array): [cid: Uint8Array, token: Uint8Array] {
  const both = new Uint8Array(cid.length + token.length);
  both.set(cid);
  both.set(token, cid.length);
  return [both.subarray(0, cid.length), both.subarray(cid.length)];
}
