/**
 * Unidirectional stream types (RFC 9114 §6.2, RFC 9204 §4.2): the varint that opens every
 * unidirectional stream.
 * @module
 */
import { isH3Reserved } from '../frames/types.ts';

export const H3UniStreamType = {
  CONTROL: 0x00, // RFC 9114 §6.2.1
  PUSH: 0x01, // RFC 9114 §6.2.2
  QPACK_ENCODER: 0x02, // RFC 9204 §4.2
  QPACK_DECODER: 0x03, // RFC 9204 §4.2
} as const;

/** Name of a unidirectional stream type for logs. */
export function h3UniStreamTypeName(type: number): string {
  switch (type) {
    case H3UniStreamType.CONTROL:
      return 'control';
    case H3UniStreamType.PUSH:
      return 'push';
    case H3UniStreamType.QPACK_ENCODER:
      return 'QPACK encoder';
    case H3UniStreamType.QPACK_DECODER:
      return 'QPACK decoder';
    default:
      return isH3Reserved(type) ? `reserved(0x${type.toString(16)})` : `unknown(0x${type.toString(16)})`;
  }
}
