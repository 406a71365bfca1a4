/**
 * JSON Text Sequences (RFC 7464) as qlog uses them (draft-ietf-quic-qlog-main-schema, "qlog to
 * JSON Text Sequences mapping"): each record is the ASCII Record Separator (0x1E), one JSON text
 * and a line feed. Byte strings are written as lowercase hex (the qlog `hexstring` type) and
 * bigints as decimal strings (the I-JSON form of uint64 values above 2^53).
 * @module
 */
import { toHex } from '../codec/hex.ts';

/** The record separator that starts every JSON-SEQ record. */
export const RECORD_SEPARATOR = '\x1e';

/** Where serialized qlog records go: one call per record, already framed. */
export type QlogSink = (line: string) => void;

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return toHex(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** One JSON-SEQ record: RS, the compact JSON text of `value`, LF. */
export function jsonSeqRecord(value: unknown): string {
  return RECORD_SEPARATOR + JSON.stringify(value, replacer) + '\n';
}

/**
 * Splits a JSON-SEQ text into its parsed records. Throws SyntaxError for a record that is not
 * JSON or text before the first separator (RFC 7464 §2.1 lets a parser skip those; tools that
 * check our own output want to see them).
 */
export function parseJsonSeq(text: string): unknown[] {
  if (text.length === 0) return [];
  if (!text.startsWith(RECORD_SEPARATOR)) throw new SyntaxError('JSON-SEQ text must start with a record separator');
  return text.split(RECORD_SEPARATOR).slice(1).map((record) => JSON.parse(record) as unknown);
}
