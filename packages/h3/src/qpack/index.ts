/**
 * QPACK (RFC 9204): field compression for HTTP/3. Sans-IO: bytes in, bytes out.
 * Generic names are exported with a Qpack prefix so they cannot clash with other h3 modules.
 * @module
 */
export type { QpackField, DecodedField as QpackDecodedField } from './types.ts';
export {
  QpackEncoder, defaultIsSensitive as qpackDefaultIsSensitive, defaultShouldIndex as qpackDefaultShouldIndex,
} from './encoder.ts';
export type { QpackEncoderOptions, QpackPeerSettings, EncodeResult as QpackEncodeResult, IndexPolicy as QpackIndexPolicy } from './encoder.ts';
export { QpackDecoder } from './decoder.ts';
export type { QpackDecoderOptions, DecodedSection as QpackDecodedSection, DecodeResult as QpackDecodeResult } from './decoder.ts';
export { DynamicTable as QpackDynamicTable, ENTRY_OVERHEAD as QPACK_ENTRY_OVERHEAD } from './dynamic-table.ts';
export type { DynamicEntry as QpackDynamicEntry, DynamicTableRow as QpackDynamicTableRow } from './dynamic-table.ts';
export {
  STATIC_TABLE as QPACK_STATIC_TABLE, STATIC_TABLE_LENGTH as QPACK_STATIC_TABLE_LENGTH, findStaticField as qpackFindStaticField,
  findStaticName as qpackFindStaticName,
} from './static-table.ts';
export {
  huffmanDecode, huffmanEncode, huffmanEncodedLength, huffmanDecodeInto, huffmanEncodeInto, huffmanMaxDecodedLength,
} from './huffman.ts';
export { HUFFMAN_CODES, HUFFMAN_LENGTHS, HUFFMAN_EOS } from './huffman-table.ts';
export {
  readPrefixInt, writePrefixInt, encodePrefixInt, prefixIntLength, NEED_MORE as QPACK_NEED_MORE,
  PREFIX_INT_MAX as QPACK_PREFIX_INT_MAX,
} from './prefix-int.ts';
export type { Cursor as QpackCursor } from './prefix-int.ts';
export type { HuffmanMode as QpackHuffmanMode } from './string-literal.ts';
export {
  FieldSectionReader as QpackFieldSectionReader, readFieldLine as readQpackFieldLine, writeFieldLine as writeQpackFieldLine,
  toFieldLine as toQpackFieldLine, FieldLineScratch as QpackFieldLineScratch, LineKind as QpackLineKind,
  readSectionPrefix as readQpackSectionPrefix, writeSectionPrefix as writeQpackSectionPrefix, encodeRequiredInsertCount,
  decodeRequiredInsertCount, decodeBase as decodeQpackBase, maxEntriesFor as qpackMaxEntries,
} from './field-lines.ts';
export type { FieldLine as QpackFieldLine, SectionPrefix as QpackSectionPrefix } from './field-lines.ts';
export {
  EncoderStreamParser as QpackEncoderStreamParser, DecoderStreamParser as QpackDecoderStreamParser, writeEncoderInstruction,
  writeDecoderInstruction, encodeEncoderInstruction, encodeDecoderInstruction,
} from './instructions.ts';
export type { EncoderInstruction as QpackEncoderInstruction, DecoderInstruction as QpackDecoderInstruction } from './instructions.ts';
export { ByteWriter as QpackByteWriter } from './byte-writer.ts';
