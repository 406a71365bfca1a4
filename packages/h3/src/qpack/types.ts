/**
 * The field line type shared by the QPACK encoder and decoder.
 * @module
 */

/**
 * One field line (RFC 9204 §1.1: a name-value pair). `neverIndex` is the 'N' bit of RFC 9204
 * §4.5.4: on input it asks the encoder to send the line as a literal that no hop may index; on
 * output it says the peer sent it that way (and a forwarding hop must keep it so, §7.1.3).
 */
export interface QpackField {
  readonly name: string;
  readonly value: string;
  readonly neverIndex?: boolean;
}

/** A decoded field line: `neverIndex` is always present. */
export interface DecodedField extends QpackField {
  readonly neverIndex: boolean;
}
