/**
 * ACK ranges (RFC 9000 §19.3.1): conversion between the wire form (First ACK Range, then Gap /
 * ACK Range Length pairs, each relative to the previous range) and the form recovery uses, a list
 * of inclusive `[smallest, largest]` packet-number ranges in descending order.
 * @module
 */
import type { Reader } from '../codec/reader.ts';
import type { Writer } from '../codec/writer.ts';
import { varintLength } from '../codec/varint.ts';
import { TransportError, TransportErrorCode } from '../errors.ts';
import type { AckRange } from './types.ts';

/**
 * Reads ACK Range Count, First ACK Range and the ACK Ranges that follow Largest Acknowledged and
 * ACK Delay. A range reaching below packet number 0 is FRAME_ENCODING_ERROR (RFC 9000 §19.3.1);
 * running out of bytes throws the Reader's DecodeError for the caller to convert.
 */
export function readAckRanges(r: Reader, largest: number, frameType: number): AckRange[] {
  const count = r.varint();
  let smallest = largest - r.varint();
  if (smallest < 0) throw negativeRange(frameType);
  const ranges: AckRange[] = [[smallest, largest]];
  // Each iteration consumes at least two bytes, so a huge count ends at the end of the input.
  for (let i = 0; i < count; i++) {
    // RFC 9000 §19.3.1: largest = previous smallest - gap - 2; smallest = largest - length.
    const high = smallest - r.varint() - 2;
    if (high < 0) throw negativeRange(frameType);
    smallest = high - r.varint();
    if (smallest < 0) throw negativeRange(frameType);
    ranges.push([smallest, high]);
  }
  return ranges;
}

function negativeRange(frameType: number): TransportError {
  return new TransportError(TransportErrorCode.FRAME_ENCODING_ERROR, 'ACK range below packet number 0', frameType);
}

/**
 * Throws RangeError unless `ranges` is non-empty, descending, disjoint and non-adjacent (adjacent
 * ranges cannot be expressed: the smallest Gap, 0, leaves one unacknowledged packet between).
 */
export function assertAckRanges(ranges: readonly AckRange[]): void {
  if (ranges.length === 0) throw new RangeError('ACK frame needs at least one range');
  let floor = Infinity;
  for (let i = 0; i < ranges.length; i++) {
    const [lo, hi] = ranges[i]!;
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || lo < 0 || lo > hi) {
      throw new RangeError(`invalid ACK range [${lo}, ${hi}]`);
    }
    if (i > 0 && hi > floor - 2) throw new RangeError(`ACK range [${lo}, ${hi}] overlaps or touches the previous one`);
    floor = lo;
  }
}

/** Writes ACK Range Count, First ACK Range and the Gap / ACK Range Length pairs. */
export function writeAckRanges(w: Writer, ranges: readonly AckRange[]): void {
  assertAckRanges(ranges);
  const first = ranges[0]!;
  w.varint(ranges.length - 1);
  w.varint(first[1] - first[0]);
  let prevSmallest = first[0];
  for (let i = 1; i < ranges.length; i++) {
    const [lo, hi] = ranges[i]!;
    w.varint(prevSmallest - hi - 2);
    w.varint(hi - lo);
    prevSmallest = lo;
  }
}

/** Encoded size of what {@link writeAckRanges} writes (ranges assumed valid). */
export function ackRangesSize(ranges: readonly AckRange[]): number {
  const first = ranges[0]!;
  let size = varintLength(ranges.length - 1) + varintLength(first[1] - first[0]);
  let prevSmallest = first[0];
  for (let i = 1; i < ranges.length; i++) {
    const [lo, hi] = ranges[i]!;
    size += varintLength(prevSmallest - hi - 2) + varintLength(hi - lo);
    prevSmallest = lo;
  }
  return size;
}
