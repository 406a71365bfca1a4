/**
 * Offline QPACK interop tool for the QIF corpus format (test-vectors/qpack/README.md).
 *
 *   qpack-interop.ts decode ENCODED_FILE OUT_QIF --table-size N --max-blocked N
 *   qpack-interop.ts encode QIF OUT --table-size N --max-blocked N --immediate-ack 0|1
 *
 * An encoded file is a sequence of blocks: stream id (u64 big-endian), length (u32 big-endian),
 * data; stream 0 is the encoder stream, any other id carries one encoded field section. Decoding
 * writes the header lists as QIF (`name<TAB>value` per line, a blank line after each list) in
 * stream-id order. A QPACK error exits with status 1 and its code on stderr.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { h3ErrorName, QpackError, QpackErrorCode } from '../packages/h3/src/errors.ts';
import { encodeDecoderInstruction, encodeEncoderInstruction, QpackDecoder, QpackEncoder, type QpackField } from '../packages/h3/src/qpack/index.ts';

/** One block of the interop framing. */
export interface InteropBlock {
  readonly streamId: number;
  readonly data: Uint8Array;
}

/** A header list with the stream it was sent on. */
export interface StreamHeaders {
  readonly streamId: number;
  readonly fields: QpackField[];
}

export interface InteropSettings {
  /** Decoder's maximum table capacity (SETTINGS_QPACK_MAX_TABLE_CAPACITY). */
  readonly tableSize: number;
  /** Decoder's maximum blocked streams (SETTINGS_QPACK_BLOCKED_STREAMS). */
  readonly maxBlocked: number;
}

/** Splits an encoded file into its blocks. */
export function parseInteropFile(bytes: Uint8Array): InteropBlock[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blocks: InteropBlock[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (bytes.length - pos < 12) throw new RangeError(`truncated block header at offset ${pos}`);
    const streamId = view.getUint32(pos) * 2 ** 32 + view.getUint32(pos + 4);
    const length = view.getUint32(pos + 8);
    pos += 12;
    if (bytes.length - pos < length) throw new RangeError(`truncated block data at offset ${pos}`);
    blocks.push({ streamId, data: bytes.subarray(pos, pos + length) });
    pos += length;
  }
  return blocks;
}

/** Joins blocks into the interop framing. */
export function writeInteropFile(blocks: readonly InteropBlock[]): Uint8Array {
  let total = 0;
  for (const b of blocks) total += 12 + b.data.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let pos = 0;
  for (const b of blocks) {
    view.setUint32(pos, Math.floor(b.streamId / 2 ** 32));
    view.setUint32(pos + 4, b.streamId % 2 ** 32);
    view.setUint32(pos + 8, b.data.length);
    out.set(b.data, pos + 12);
    pos += 12 + b.data.length;
  }
  return out;
}

/** Parses QIF text into header lists (comments dropped; a blank line ends a list). */
export function parseQif(text: string): QpackField[][] {
  const lists: QpackField[][] = [];
  let current: QpackField[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    if (line === '') {
      if (current.length > 0) lists.push(current);
      current = [];
      continue;
    }
    const tab = line.indexOf('\t');
    current.push(tab < 0 ? { name: line, value: '' } : { name: line.slice(0, tab), value: line.slice(tab + 1) });
  }
  if (current.length > 0) lists.push(current);
  return lists;
}

/** Formats header lists as QIF, optionally with `# stream N` comments. */
export function formatQif(lists: readonly StreamHeaders[], comments = false): string {
  const parts: string[] = [];
  for (const { streamId, fields } of lists) {
    if (comments) parts.push(`# stream ${streamId}\n`);
    for (const f of fields) parts.push(`${f.name}\t${f.value}\n`);
    parts.push('\n');
  }
  return parts.join('');
}

/**
 * Decodes an encoded file with a decoder configured from `settings`. Returns the header lists
 * in stream-id order. Throws QpackError for invalid input, including sections still blocked at
 * the end of the file.
 */
export function decodeInterop(bytes: Uint8Array, settings: InteropSettings): StreamHeaders[] {
  const decoder = new QpackDecoder({ maxTableCapacity: settings.tableSize, maxBlockedStreams: settings.maxBlocked });
  const out: StreamHeaders[] = [];
  // The corpus predates RFC 9204's initial capacity of zero (§3.2.3): its encoders start with the
  // capacity at the announced maximum, and most never send Set Dynamic Table Capacity. Imply one.
  if (settings.tableSize > 0) decoder.readEncoderStream(encodeEncoderInstruction({ kind: 'set-capacity', capacity: settings.tableSize }));
  for (const { streamId, data } of parseInteropFile(bytes)) {
    if (streamId === 0) {
      for (const s of decoder.readEncoderStream(data)) out.push({ streamId: s.streamId, fields: s.fields });
      continue;
    }
    const result = decoder.decodeFieldSection(streamId, data);
    if (result.kind === 'done') out.push({ streamId, fields: result.fields });
  }
  if (decoder.encoderStreamPending > 0) {
    throw new QpackError(QpackErrorCode.QPACK_ENCODER_STREAM_ERROR, 'encoder stream ends inside an instruction');
  }
  if (decoder.blockedStreamCount > 0) {
    throw new QpackError(QpackErrorCode.QPACK_DECOMPRESSION_FAILED, `${decoder.blockedStreamCount} stream(s) still blocked at end of input`);
  }
  // Stable sort: sections of one stream keep their order.
  return out.sort((a, b) => a.streamId - b.streamId);
}

export interface EncodeInteropSettings extends InteropSettings {
  /** Simulate the decoder acknowledging every section and insert as soon as it is sent. */
  readonly immediateAck: boolean;
}

/**
 * Encodes header lists (the i-th on stream i + 1) into the interop framing. With `immediateAck`
 * the decoder's Section Acknowledgment and Insert Count Increment are fed back after each list.
 */
export function encodeInterop(lists: readonly (readonly QpackField[])[], settings: EncodeInteropSettings): Uint8Array {
  const encoder = new QpackEncoder({ maxTableCapacity: settings.tableSize });
  encoder.setPeerSettings({ maxTableCapacity: settings.tableSize, maxBlockedStreams: settings.maxBlocked });
  const blocks: InteropBlock[] = [];
  lists.forEach((fields, i) => {
    const streamId = i + 1;
    const { fieldSection, encoderStream, requiredInsertCount } = encoder.encode(streamId, fields);
    if (encoderStream.length > 0) blocks.push({ streamId: 0, data: encoderStream });
    blocks.push({ streamId, data: fieldSection });
    if (settings.immediateAck) {
      if (requiredInsertCount > 0) encoder.readDecoderStream(encodeDecoderInstruction({ kind: 'section-ack', streamId }));
      const increment = encoder.insertCount - encoder.knownReceivedCount;
      if (increment > 0) encoder.readDecoderStream(encodeDecoderInstruction({ kind: 'insert-count-increment', increment }));
    }
  });
  return writeInteropFile(blocks);
}

/** Runs the command line; returns the exit status. */
export function main(args: readonly string[], io: { stderr: (s: string) => void } = { stderr: (s) => process.stderr.write(s) }): number {
  const usage =
    'usage: qpack-interop decode ENCODED_FILE OUT_QIF --table-size N --max-blocked N\n' +
    '       qpack-interop encode QIF OUT --table-size N --max-blocked N --immediate-ack 0|1\n';
  const [command, input, output, ...rest] = args;
  const options = new Map<string, number>();
  for (let i = 0; i < rest.length; i += 2) {
    const value = Number(rest[i + 1]);
    if (!rest[i]!.startsWith('--') || !Number.isSafeInteger(value) || value < 0) {
      io.stderr(usage);
      return 2;
    }
    options.set(rest[i]!.slice(2), value);
  }
  const tableSize = options.get('table-size');
  const maxBlocked = options.get('max-blocked');
  if ((command !== 'decode' && command !== 'encode') || input === undefined || output === undefined || tableSize === undefined || maxBlocked === undefined) {
    io.stderr(usage);
    return 2;
  }
  try {
    if (command === 'decode') {
      const lists = decodeInterop(new Uint8Array(readFileSync(input)), { tableSize, maxBlocked });
      writeFileSync(output, formatQif(lists));
    } else {
      const immediateAck = options.get('immediate-ack') === 1;
      const lists = parseQif(readFileSync(input, 'utf8'));
      writeFileSync(output, encodeInterop(lists, { tableSize, maxBlocked, immediateAck }));
    }
    return 0;
  } catch (e) {
    if (e instanceof QpackError) {
      io.stderr(`${h3ErrorName(e.code)} (0x${e.code.toString(16)}): ${e.reason}\n`);
      return 1;
    }
    if (e instanceof RangeError) {
      io.stderr(`malformed input: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) process.exitCode = main(process.argv.slice(2));
