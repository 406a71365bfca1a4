/**
 * Drives a {@link WtConnection} from a quic-core `Connection`: HTTP/3's `QuicStreamsAdapter` with
 * a WebTransport connection as the protocol. The WebTransport connection is created when the
 * handshake completes, with the peer's max_datagram_frame_size, so that a peer without QUIC
 * datagrams speaks no dialect (draft -15 §3.1); it closes through its HTTP/3 connection.
 * @module
 */
import { QuicStreamsAdapter, type QuicStreamsStart, type QuicStreamsTransport, type QuicStreamsTransportEvent } from '@quicts/h3';
import { WtConnection, type WtConnectionOptions } from './protocol/connection.ts';
import type { WtEvent } from './protocol/events.ts';

/** What the adapter needs of a QUIC connection (quic-core's `Connection` fits). */
export type WtQuicTransport = QuicStreamsTransport;

/** The WebTransport connection's options; the role, port and peer's transport parameters come from the QUIC connection. */
export interface WtQuicAdapterOptions extends Omit<WtConnectionOptions, 'role' | 'port' | 'peerTransport'> {
  readonly quic: WtQuicTransport;
}

/** The adapter's own events, mixed in order with the WebTransport connection's. */
export type WtTransportEvent = QuicStreamsTransportEvent;

export type WtAdapterEvent = WtEvent | WtTransportEvent;

export class WtQuicAdapter extends QuicStreamsAdapter<WtConnection> {
  constructor(options: WtQuicAdapterOptions) {
    const { quic, ...wtOptions } = options;
    const create = ({ role, port, quic }: QuicStreamsStart): WtConnection =>
      new WtConnection({ ...wtOptions, role, port, peerTransport: { maxDatagramFrameSize: quic.peerMaxDatagramFrameSize } });
    super({ quic, create, closable: (wt) => wt.h3 });
  }

  /** The WebTransport connection, once the handshake completed. */
  get wt(): WtConnection | undefined {
    return this.connection;
  }
}
