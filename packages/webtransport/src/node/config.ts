/**
 * `ClientConfig` and `ServerConfig`: every knob of a WebTransport connection in one flat object
 * with documented defaults (`CLIENT_CONFIG_DEFAULTS`, `SERVER_CONFIG_DEFAULTS`), and the
 * translation into the options of `connectWebTransport` / `createWebTransportServer`.
 * @module
 */
import type { TransportConfig } from '@quicts/quic-core';
import type { CertificateOptions, VerifyOptions } from '@quicts/quic-core/node';
import { WT_DEFAULT_LOCAL_SETTINGS, WT_DIALECTS, type WtDialect, type WtLocalSettings } from '../protocol/dialect.ts';
import type { WebTransportClientOptions } from './client.ts';
import type { WebTransportServerOptions } from './server.ts';

/** What client and server configs share. */
export interface CommonConfig {
  /** ms to wait for the handshake and the peer's SETTINGS, and for a session answer (10 000). */
  readonly connectTimeout: number;
  /** QUIC max_idle_timeout we advertise, ms (60 000; 0 disables). */
  readonly maxIdleTimeout: number;
  /** Send a PING when idle this long, ms (0: never). */
  readonly keepAliveInterval: number;
  /** Connection flow-control window at the start, bytes (1 MiB; auto-tuned upwards). */
  readonly initialMaxData: number;
  /** Per-stream flow-control window at the start, bytes (256 KiB; auto-tuned upwards). */
  readonly initialMaxStreamData: number;
  /** Bidirectional / unidirectional streams the peer may open at once (256 / 256). */
  readonly maxStreamsBidi: number;
  readonly maxStreamsUni: number;
  /** Largest DATAGRAM frame we accept (65 535; 0 turns datagrams off). */
  readonly maxDatagramFrameSize: number;
  /** Congestion controller ('cubic'). */
  readonly congestionControl: 'cubic' | 'newreno';
  /** WebTransport dialects we speak, the highest common one wins (all). */
  readonly dialects: readonly WtDialect[];
  /** Sessions per connection (16). */
  readonly maxSessions: number;
  /** Session data credit given to the peer at the start of a session (draft-13+; 16 MiB). */
  readonly sessionInitialMaxData: number;
  /** Streams the peer may open in a session at first (draft-13+; 128 each). */
  readonly sessionMaxStreamsBidi: number;
  readonly sessionMaxStreamsUni: number;
  /** ALPN offered / accepted: always 'h3' (WebTransport rides on HTTP/3). */
  readonly alpn: readonly ['h3'];
  /** Append TLS secrets in NSS key log format to this file (server; off). */
  readonly keylogFile: string | undefined;
  /** Write a qlog trace (JSON-SEQ, `<odcid>_<client|server>.sqlog`) per connection into this directory (off). */
  readonly qlogDir: string | undefined;
}

export interface ClientConfig extends CommonConfig {
  /** Certificate verification (undefined: the runtime's root certificates and the host name). */
  readonly verify: VerifyOptions | undefined;
  /** TLS server name (undefined: the URL's host). */
  readonly serverName: string | undefined;
  /** Origin header sent with each session request (none). */
  readonly origin: string | undefined;
  /** Local address to bind (undefined: the wildcard address of the server's family). */
  readonly localAddress: string | undefined;
  /** Do not keep the process alive for the socket (false). */
  readonly unref: boolean;
}

export interface ServerConfig extends CommonConfig {
  /** Address to bind ('0.0.0.0'). */
  readonly host: string;
  /** UDP port (0: any free port). */
  readonly port: number;
  /** Most connections at once (10 000). */
  readonly maxConnections: number;
  readonly unref: boolean;
}

const COMMON: CommonConfig = Object.freeze({
  connectTimeout: 10_000,
  maxIdleTimeout: 60_000,
  keepAliveInterval: 0,
  initialMaxData: 1 << 20,
  initialMaxStreamData: 256 << 10,
  maxStreamsBidi: 256,
  maxStreamsUni: 256,
  maxDatagramFrameSize: 65535,
  congestionControl: 'cubic',
  dialects: WT_DIALECTS,
  maxSessions: WT_DEFAULT_LOCAL_SETTINGS.maxSessions,
  sessionInitialMaxData: WT_DEFAULT_LOCAL_SETTINGS.initialMaxData,
  sessionMaxStreamsBidi: WT_DEFAULT_LOCAL_SETTINGS.initialMaxStreamsBidi,
  sessionMaxStreamsUni: WT_DEFAULT_LOCAL_SETTINGS.initialMaxStreamsUni,
  alpn: Object.freeze(['h3']) as unknown as readonly ['h3'],
  keylogFile: undefined,
  qlogDir: undefined,
} as const);

export const CLIENT_CONFIG_DEFAULTS: ClientConfig = Object.freeze({
  ...COMMON, verify: undefined, serverName: undefined, origin: undefined, localAddress: undefined, unref: false,
});

export const SERVER_CONFIG_DEFAULTS: ServerConfig = Object.freeze({
  ...COMMON, host: '0.0.0.0', port: 0, maxConnections: 10_000, unref: false,
});

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function check(config: CommonConfig): void {
  for (const k of ['connectTimeout', 'maxIdleTimeout', 'keepAliveInterval', 'initialMaxData', 'initialMaxStreamData', 'maxStreamsBidi',
    'maxStreamsUni', 'maxDatagramFrameSize', 'maxSessions', 'sessionInitialMaxData', 'sessionMaxStreamsBidi', 'sessionMaxStreamsUni'] as const) {
    const v = config[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`config.${k} must be a finite number >= 0, not ${String(v)}`);
  }
  if (config.dialects.length === 0 || config.dialects.some((d) => !WT_DIALECTS.includes(d))) {
    throw new RangeError(`config.dialects must name some of ${WT_DIALECTS.join(', ')}`);
  }
  if (config.alpn.length !== 1 || config.alpn[0] !== 'h3') throw new RangeError("config.alpn is always ['h3']");
}

/** A full client config: the defaults overridden by `overrides` (values checked). */
export function clientConfig(overrides: Partial<ClientConfig> = {}): ClientConfig {
  const c = { ...CLIENT_CONFIG_DEFAULTS, ...overrides } as Mutable<ClientConfig>;
  check(c);
  return Object.freeze(c);
}

/** A full server config: the defaults overridden by `overrides` (values checked). */
export function serverConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  const c = { ...SERVER_CONFIG_DEFAULTS, ...overrides } as Mutable<ServerConfig>;
  check(c);
  return Object.freeze(c);
}

function transportOf(c: CommonConfig): Partial<TransportConfig> {
  return {
    maxIdleTimeout: c.maxIdleTimeout, keepAliveInterval: c.keepAliveInterval, initialMaxData: c.initialMaxData,
    initialMaxStreamDataBidiLocal: c.initialMaxStreamData, initialMaxStreamDataBidiRemote: c.initialMaxStreamData,
    initialMaxStreamDataUni: c.initialMaxStreamData, initialMaxStreamsBidi: c.maxStreamsBidi, initialMaxStreamsUni: c.maxStreamsUni,
    maxDatagramFrameSize: c.maxDatagramFrameSize, congestion: { algorithm: c.congestionControl },
  };
}

function settingsOf(c: CommonConfig): WtLocalSettings {
  return {
    dialects: c.dialects, maxSessions: c.maxSessions, initialMaxData: c.sessionInitialMaxData,
    initialMaxStreamsBidi: c.sessionMaxStreamsBidi, initialMaxStreamsUni: c.sessionMaxStreamsUni,
  };
}

/** The `connectWebTransport` options of a client config. */
export function clientOptionsOf(c: ClientConfig): WebTransportClientOptions {
  return {
    connectTimeout: c.connectTimeout, transport: transportOf(c), settings: settingsOf(c), unref: c.unref,
    ...(c.qlogDir !== undefined ? { qlogDir: c.qlogDir } : {}),
    ...(c.verify !== undefined ? { verify: c.verify } : {}),
    ...(c.serverName !== undefined ? { serverName: c.serverName } : {}),
    ...(c.origin !== undefined ? { origin: c.origin } : {}),
    ...(c.localAddress !== undefined ? { localAddress: c.localAddress } : {}),
  };
}

/** The `createWebTransportServer` options of a server config and a certificate. */
export function serverOptionsOf(c: ServerConfig, certificate: CertificateOptions): WebTransportServerOptions {
  return {
    ...certificate, host: c.host, port: c.port, transport: transportOf(c), settings: settingsOf(c), maxConnections: c.maxConnections,
    unref: c.unref, ...(c.keylogFile !== undefined ? { keylogFile: c.keylogFile } : {}),
    ...(c.qlogDir !== undefined ? { qlogDir: c.qlogDir } : {}),
  };
}

/** The server config a server's options amount to (what `WebTransportServer.config` reports). */
export function serverConfigOf(o: WebTransportServerOptions, transportDefaults: Partial<TransportConfig>): ServerConfig {
  const t = { ...transportDefaults, ...o.transport };
  const s = o.settings ?? {};
  const d = SERVER_CONFIG_DEFAULTS;
  return Object.freeze({
    ...d,
    host: o.host ?? d.host, port: o.port ?? d.port, maxConnections: o.maxConnections ?? d.maxConnections, unref: o.unref ?? d.unref,
    keylogFile: o.keylogFile, qlogDir: o.qlogDir,
    maxIdleTimeout: t.maxIdleTimeout ?? d.maxIdleTimeout, keepAliveInterval: t.keepAliveInterval ?? d.keepAliveInterval,
    initialMaxData: t.initialMaxData ?? d.initialMaxData, initialMaxStreamData: t.initialMaxStreamDataBidiRemote ?? d.initialMaxStreamData,
    maxStreamsBidi: t.initialMaxStreamsBidi ?? d.maxStreamsBidi, maxStreamsUni: t.initialMaxStreamsUni ?? d.maxStreamsUni,
    maxDatagramFrameSize: t.maxDatagramFrameSize ?? d.maxDatagramFrameSize, congestionControl: t.congestion?.algorithm ?? d.congestionControl,
    dialects: s.dialects ?? d.dialects, maxSessions: s.maxSessions ?? d.maxSessions, sessionInitialMaxData: s.initialMaxData ?? d.sessionInitialMaxData,
    sessionMaxStreamsBidi: s.initialMaxStreamsBidi ?? d.sessionMaxStreamsBidi, sessionMaxStreamsUni: s.initialMaxStreamsUni ?? d.sessionMaxStreamsUni,
  });
}
