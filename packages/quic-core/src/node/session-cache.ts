/**
 * What a client remembers about servers between connections: TLS session tickets (with the
 * server's transport parameters, for resumption and 0-RTT, RFC 9000 §7.4.1) and NEW_TOKEN
 * tokens (RFC 9000 §8.1.3), both kept by a key naming the server (name and port). `connect` uses
 * one process-wide cache unless given another, or `false`.
 * @module
 */
import { TlsMemoryTicketStore } from '../tls/ticket-store.ts';
import type { TlsClientTicket } from '../tls/session-ticket.ts';

/** A ticket store that can be waited on. */
class WatchedTicketStore extends TlsMemoryTicketStore {
  readonly #waiters = new Map<string, Array<() => void>>();

  override put(key: string, ticket: TlsClientTicket): void {
    super.put(key, ticket);
    for (const w of this.#waiters.get(key)?.splice(0) ?? []) w();
  }

  wait(key: string): Promise<void> {
    return new Promise((resolve) => {
      const list = this.#waiters.get(key) ?? [];
      list.push(resolve);
      this.#waiters.set(key, list);
    });
  }
}

export class QuicSessionCache {
  /** Session tickets by server key (each offered once, RFC 8446 §C.4). */
  readonly tickets = new WatchedTicketStore();
  readonly #tokens = new Map<string, Uint8Array>();

  constructor(private readonly maxTokens = 1000) {}

  /** The key of a server: its TLS name and port. */
  static key(serverName: string, port: number): string {
    return `${serverName}:${port}`;
  }

  /** Whether a ticket for `key` is held now. */
  hasTicket(key: string): boolean {
    return this.tickets.count(key) > 0;
  }

  /** Resolves true once a ticket for `key` is held, or false after `timeoutMs`. */
  async waitForTicket(key: string, timeoutMs: number): Promise<boolean> {
    if (this.hasTicket(key)) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const got = await Promise.race([this.tickets.wait(key).then(() => true as const), timeout]);
    clearTimeout(timer);
    return got;
  }

  /** Keeps the newest NEW_TOKEN token of a server. */
  putToken(key: string, token: Uint8Array): void {
    this.#tokens.delete(key);
    this.#tokens.set(key, token.slice());
    // The oldest entries go first once the cache is full.
    while (this.#tokens.size > this.maxTokens) this.#tokens.delete(this.#tokens.keys().next().value!);
  }

  /** Removes and returns the token of a server (RFC 9000 §8.1.3: a token is used once). */
  takeToken(key: string): Uint8Array | undefined {
    const t = this.#tokens.get(key);
    this.#tokens.delete(key);
    return t;
  }
}

/** The process-wide cache `connect` uses by default. */
export const defaultSessionCache = new QuicSessionCache();
