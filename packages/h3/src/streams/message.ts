/**
 * The HTTP message state machine of a request or push stream (RFC 9114 §4.1): a header section
 * (after any interim responses), DATA frames, an optional trailer section, then nothing. One
 * machine follows what we receive, another what we send. Out-of-order frames are connection
 * errors of type H3_FRAME_UNEXPECTED; malformed messages (bad fields, content-length not
 * matching the DATA received) are stream errors of type H3_MESSAGE_ERROR.
 * @module
 */
import { H3Error, H3ErrorCode } from '../errors.ts';
import type { QpackField } from '../qpack/types.ts';
import {
  type H3RequestHead, type H3ResponseHead, validateRequestHeaders, validateResponseHeaders, validateTrailers,
} from './headers-validation.ts';

/** Which message a stream carries in the direction followed. */
export type H3MessageRole = 'request' | 'response';

type RecvState =
  | { readonly kind: 'awaiting-headers' }
  | { readonly kind: 'body'; readonly contentLength: number | null; received: number }
  | { readonly kind: 'trailers' };

/** What a HEADERS frame turned out to be. */
export type H3HeadersKind = 'headers' | 'interim' | 'trailers';

function unexpected(reason: string): H3Error {
  return new H3Error(H3ErrorCode.H3_FRAME_UNEXPECTED, reason);
}

function malformed(reason: string): H3Error {
  return new H3Error(H3ErrorCode.H3_MESSAGE_ERROR, reason, 'stream');
}

/** The receiving side of one message. */
export class MessageReceiver {
  private state: RecvState = { kind: 'awaiting-headers' };
  /** The request, once its header section arrived (role 'request'). */
  request: H3RequestHead | undefined;
  /** The final response, once it arrived (role 'response'). */
  response: H3ResponseHead | undefined;

  /**
   * @param role what the stream carries towards us
   * @param allowProtocol whether `:protocol` may appear (we sent SETTINGS_ENABLE_CONNECT_PROTOCOL=1)
   * @param requestMethod for responses: the method of the request they answer (HEAD and CONNECT
   *   responses have no content to check against content-length)
   */
  constructor(
    readonly role: H3MessageRole,
    private readonly allowProtocol = false,
    private readonly requestMethod = 'GET',
  ) {}

  /** Whether the (final) header section has arrived. */
  get headersReceived(): boolean {
    return this.state.kind !== 'awaiting-headers';
  }

  /** A decoded field section arrived in a HEADERS frame. */
  onHeaders(fields: readonly QpackField[]): H3HeadersKind {
    const s = this.state;
    switch (s.kind) {
      case 'awaiting-headers': {
        if (this.role === 'request') {
          const head = validateRequestHeaders(fields, this.allowProtocol);
          this.request = head;
          this.state = { kind: 'body', contentLength: head.method === 'CONNECT' ? null : head.contentLength, received: 0 };
          return 'headers';
        }
        const head = validateResponseHeaders(fields);
        if (head.status < 200) return 'interim'; // RFC 9114 §4.1: interim responses precede the final one
        this.response = head;
        // RFC 9110 §6.4.1: no content in responses to HEAD, in 204 and 304, nor after a 2xx to CONNECT.
        const noContent = this.requestMethod === 'HEAD' || head.status === 204 || head.status === 304 ||
          (this.requestMethod === 'CONNECT' && head.status < 300);
        this.state = { kind: 'body', contentLength: noContent ? null : head.contentLength, received: 0 };
        return 'headers';
      }
      case 'body':
        validateTrailers(fields);
        this.checkLength(s);
        this.state = { kind: 'trailers' };
        return 'trailers';
      case 'trailers':
        // RFC 9114 §4.1: nothing may follow the trailer section.
        throw unexpected('HEADERS frame after trailers');
    }
  }

  /** `n` bytes of DATA payload arrived (call it for every piece, also empty ones). */
  onData(n: number): void {
    const s = this.state;
    switch (s.kind) {
      case 'awaiting-headers':
        // RFC 9114 §4.1: DATA before HEADERS is an invalid frame sequence.
        throw unexpected('DATA frame before HEADERS');
      case 'trailers':
        throw unexpected('DATA frame after trailers');
      case 'body':
        s.received += n;
        // RFC 9114 §4.1.2: more content than content-length says is malformed at once.
        if (s.contentLength !== null && s.received > s.contentLength) {
          throw malformed(`${s.received} bytes of content exceed content-length ${s.contentLength}`);
        }
    }
  }

  /**
   * The stream ended cleanly. A request stream without a complete request is
   * H3_REQUEST_INCOMPLETE (RFC 9114 §4.1.2); content shorter than content-length is malformed.
   */
  onEnd(): void {
    const s = this.state;
    if (s.kind === 'awaiting-headers') {
      if (this.role === 'request') throw new H3Error(H3ErrorCode.H3_REQUEST_INCOMPLETE, 'request stream ended before its header section', 'stream');
      throw malformed('response stream ended before a final header section');
    }
    if (s.kind === 'body') this.checkLength(s);
  }

  private checkLength(s: { readonly contentLength: number | null; received: number }): void {
    if (s.contentLength !== null && s.received !== s.contentLength) {
      throw malformed(`${s.received} bytes of content, content-length ${s.contentLength}`);
    }
  }
}

type SendState = 'headers' | 'body' | 'done';

/** The sending side of one message: API misuse becomes TypeError. */
export class MessageSender {
  private state: SendState = 'headers';

  constructor(readonly role: H3MessageRole) {}

  get canSendData(): boolean {
    return this.state === 'body';
  }

  get done(): boolean {
    return this.state === 'done';
  }

  /**
   * Checks a header section we are about to send (`allowProtocol`: the peer allows extended
   * CONNECT). Returns what it is: headers, interim (1xx), or trailers once the body started.
   */
  checkHeaders(fields: readonly QpackField[], allowProtocol: boolean, endStream: boolean): H3HeadersKind {
    try {
      if (this.state === 'done') throw new TypeError('the message was already sent completely');
      if (this.state === 'body') {
        validateTrailers(fields);
        return 'trailers';
      }
      if (this.role === 'request') {
        validateRequestHeaders(fields, allowProtocol);
        return 'headers';
      }
      const head = validateResponseHeaders(fields);
      if (head.status < 200) {
        if (endStream) throw new TypeError('an interim response cannot end the stream');
        return 'interim';
      }
      return 'headers';
    } catch (e) {
      if (e instanceof H3Error) throw new TypeError(`invalid header section: ${e.reason}`, { cause: e });
      throw e;
    }
  }

  /** Records that a section of `kind` was sent. */
  sentHeaders(kind: H3HeadersKind, endStream: boolean): void {
    if (kind === 'trailers' || endStream) this.state = 'done';
    else if (kind === 'headers') this.state = 'body';
  }

  /** Checks that DATA may be sent now. */
  checkData(): void {
    if (this.state !== 'body') {
      throw new TypeError(this.state === 'headers' ? 'DATA before the header section' : 'the message was already sent completely');
    }
  }

  /** The send side ended (FIN written or reset). */
  end(): void {
    this.state = 'done';
  }
}
