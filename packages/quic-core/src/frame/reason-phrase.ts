/**
 * CONNECTION_CLOSE reason phrases (RFC 9000 §19.19). The phrase SHOULD be UTF-8 but a peer may
 * send anything, so frames keep the bytes and these helpers convert for display and sending.
 * @module
 */

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const encoder = new TextEncoder();

/** The reason phrase as text; invalid UTF-8 sequences become U+FFFD, never an error. */
export function reasonPhraseText(reason: Uint8Array): string {
  return reason.length === 0 ? '' : decoder.decode(reason);
}

/** UTF-8 bytes of a reason phrase to send. */
export function reasonPhraseBytes(text: string): Uint8Array {
  return encoder.encode(text);
}
