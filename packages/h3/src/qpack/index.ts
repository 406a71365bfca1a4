/**
 * QPACK (RFC 9204): field compression for HTTP/3. Sans-IO: bytes in, bytes out.
 * @module
 */
export type { QpackField, DecodedField } from './types.ts';
export { QpackEncoder, defaultIsSensitive, defaultShouldIndex } from './encoder.ts';
export type { QpackEncoderOptions, QpackPeerSettings, EncodeResult } from './encoder.ts';
export { QpackDecoder } from './decoder.ts';
export type { QpackDecoderOptions, DecodedSection, DecodeResult } from './decoder.ts';
export { DynamicTable, ENTRY_OVERHEAD } from './dynamic-table.ts';
export type { DynamicEntry, DynamicTableRow } from './dynamic-table.ts';
export { STATIC_TABLE, STATIC_TABLE_LENGTH, findStaticField, findStaticName } from './static-table.ts';
export {
  huffmanDecode, huffmanEncode, huffmanEncodedLength, huffmanDecodeInto, huffmanEncodeInto, huffmanMaxDecodedLength,
} from './huffman.ts';
export { HUFFMAN_CODES, HUFFMAN_LENGTHS, HUFFMAN_EOS } from './huffman-table.ts';
export { readPrefixInt, writePrefixInt, encodePrefixInt, prefixIntLength, NEED_MORE, PREFIX_INT_MAX } from './prefix-int.ts';
export type { Cursor } from './prefix-int.ts';
export type { HuffmanMode } from './string-literal.ts';
export {
  FieldSectionReader, readFieldLine, writeFieldLine, toFieldLine, FieldLineScratch, LineKind, readSectionPrefix,
  writeSectionPrefix, encodeRequiredInsertCount, decodeRequiredInsertCount, decodeBase, maxEntriesFor,
} from './field-lines.ts';
export type { FieldLine, SectionPrefix } from './field-lines.ts';
export {
  EncoderStreamParser, DecoderStreamParser, writeEncoderInstruction, writeDecoderInstruction, encodeEncoderInstruction,
  encodeDecoderInstruction,
} from './instructions.ts';
export type { EncoderInstruction, DecoderInstruction } from './instructions.ts';
export { ByteWriter as QpackByteWriter } from './byte-writer.ts';
