/**
 * One UDP socket, its QUIC endpoint and the HTTP/3 sessions of its connections: the UDP driver
 * hands every endpoint event here, and each connection's events go to its session.
 * @module
 */
import type { ConnectionHandle, Endpoint, EndpointEvent } from '@quicts/quic-core';
import { startConnectionQlog, UdpDriver } from '@quicts/quic-core/node';
import type { H3QuicAdapterOptions } from '../quic-adapter.ts';
import { H3Session } from './session.ts';


export class H3Host {
  readonly sessions = new Map<ConnectionHandle, H3Session>();
  /** Server: a new connection's session exists (its handshake is under way). */
  onIncoming: ((session: H3Session) => void) | undefined;
  /** Client: a NEW_TOKEN token arrived (RFC 9000 §8.1.3). */
  onNewToken: ((token: Uint8Array) => void) | undefined;
  driver!: UdpDriver;

  constructor(
    readonly endpoint: Endpoint,
    private readonly h3: Omit<H3QuicAdapterOptions, 'quic'>,
    private readonly keylog: ((lines: string[]) => void) | undefined,
    /** Where each connection's qlog file goes (off when undefined). */
    private readonly qlogDir?: string,
  ) {}

  async bind(host: string, port: number, unref: boolean): Promise<void> {
    this.driver = await UdpDriver.bind({ endpoint: this.endpoint, host, port, unref, onEvent: (e) => this.#dispatch(e) });
  }

  /** Wraps connection `handle` of the endpoint in a session. */
  adopt(handle: ConnectionHandle): H3Session | undefined {
    const conn = this.endpoint.connection(handle);
    if (conn === undefined) return undefined;
    const driver = this.driver;
    const session = new H3Session(conn, {
      wake: () => driver.wake(handle),
      ...(this.keylog ? { keylog: this.keylog } : {}),
    }, conn.path.remote, this.h3);
    const log = this.qlogDir !== undefined ? startConnectionQlog(this.qlogDir, conn, driver.local, conn.path.remote, driver.now()) : undefined;
    this.sessions.set(handle, session);
    void session.closed.then(() => {
      this.sessions.delete(handle);
      void log?.close();
    });
    return session;
  }

  #dispatch(e: EndpointEvent): void {
    if (e.type === 'incoming') {
      const session = this.adopt(e.handle);
      if (session !== undefined) this.onIncoming?.(session);
      return;
    }
    if (e.event.type === 'newToken') this.onNewToken?.(e.event.token);
    this.sessions.get(e.handle)?.handleEvent(e.event);
  }
}
