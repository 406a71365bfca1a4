/**
 * Flow control (RFC 9000 §4): one send/receive primitive for connection data, stream data and
 * stream counts.
 * @module
 */
export { SendCredit, RecvWindow, AUTO_TUNE_RTT_FACTOR } from './credit.ts';
export type { RecvWindowOptions } from './credit.ts';
export {
  CONNECTION_SUBJECT, streamSubject, streamCountSubject, updateFrameFor, blockedFrameFor, violationCodeFor,
} from './subject.ts';
export type {
  FlowSubject, ConnectionDataSubject, StreamDataSubject, StreamCountSubject, FlowUpdateFrame, FlowBlockedFrame,
  FlowControlFrame,
} from './subject.ts';
