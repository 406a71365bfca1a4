/**
 * Where a client keeps session tickets between connections (RFC 8446 §4.6.1). Tickets are
 * offered once and then dropped (RFC 8446 §C.4: reusing a ticket links connections), and never
 * kept beyond their lifetime.
 * @module
 */
import { ticketUsable, type TlsClientTicket } from './session-ticket.ts';

export interface TlsTicketStore {
  /** Stores a ticket received for `key` (by default the server name). */
  put(key: string, ticket: TlsClientTicket): void;
  /** Removes and returns the newest usable ticket for `key` at `now` (wall-clock ms). */
  take(key: string, now: number): TlsClientTicket | undefined;
}

/** An in-memory ticket store keeping the newest `perKey` tickets per key. */
export class TlsMemoryTicketStore implements TlsTicketStore {
  private readonly tickets = new Map<string, TlsClientTicket[]>();

  constructor(private readonly perKey = 4) {}

  put(key: string, ticket: TlsClientTicket): void {
    const list = this.tickets.get(key) ?? [];
    list.push(ticket);
    while (list.length > this.perKey) list.shift();
    this.tickets.set(key, list);
  }

  take(key: string, now: number): TlsClientTicket | undefined {
    const list = this.tickets.get(key);
    if (!list) return undefined;
    let found: TlsClientTicket | undefined;
    while (list.length && !found) {
      const t = list.pop()!;
      if (ticketUsable(t.receivedAt, t.lifetime, now)) found = t;
    }
    if (list.length === 0) this.tickets.delete(key);
    return found;
  }

  /** Number of tickets held for `key`. */
  count(key: string): number {
    return this.tickets.get(key)?.length ?? 0;
  }
}
