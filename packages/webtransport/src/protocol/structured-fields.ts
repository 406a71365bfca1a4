/**
 * The two Structured Fields (RFC 9651) of application protocol negotiation
 * (draft-ietf-webtrans-http3 §3.3): WT-Available-Protocols, a List of Strings, and WT-Protocol,
 * a String Item. Parameters are ignored; a member of any other type makes the whole field ignored
 * (undefined).
 * @module
 */

function serializeString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    // RFC 9651 §4.1.6: only printable ASCII.
    if (c < 0x20 || c > 0x7e) throw new RangeError(`protocol names are printable ASCII: ${JSON.stringify(s)}`);
    out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  }
  return out + '"';
}

/** Serializes WT-Available-Protocols. */
export function serializeProtocolList(protocols: readonly string[]): string {
  return protocols.map(serializeString).join(', ');
}

/** Serializes WT-Protocol. */
export function serializeProtocolItem(protocol: string): string {
  return serializeString(protocol);
}

/** A cursor over a field value (RFC 9651 §4.2). */
class Cursor {
  pos = 0;
  constructor(readonly s: string) {}
  get done(): boolean {
    return this.pos >= this.s.length;
  }
  peek(): string {
    return this.s[this.pos] ?? '';
  }
  skipSp(): void {
    while (this.peek() === ' ') this.pos++;
  }
  skipOws(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }
}

/** §4.2.5: a String; undefined when malformed or not a String. */
function parseString(c: Cursor): string | undefined {
  if (c.peek() !== '"') return undefined;
  c.pos++;
  let out = '';
  while (!c.done) {
    const ch = c.s[c.pos++]!;
    if (ch === '\\') {
      const next = c.s[c.pos++];
      if (next !== '"' && next !== '\\') return undefined;
      out += next;
    } else if (ch === '"') {
      return out;
    } else {
      const code = ch.charCodeAt(0);
      if (code < 0x20 || code > 0x7e) return undefined;
      out += ch;
    }
  }
  return undefined;
}

/** §4.2.3.2: parameters, skipped (their syntax is still checked loosely: key[=value]). */
function skipParameters(c: Cursor): boolean {
  while (c.peek() === ';') {
    c.pos++;
    c.skipSp();
    const key = /^[a-z*][a-z0-9_.*-]*/.exec(c.s.slice(c.pos));
    if (key === null) return false;
    c.pos += key[0].length;
    if (c.peek() === '=') {
      c.pos++;
      if (c.peek() === '"') {
        if (parseString(c) === undefined) return false;
      } else {
        const bare = /^[^,;\s]+/.exec(c.s.slice(c.pos));
        if (bare === null) return false;
        c.pos += bare[0].length;
      }
    }
  }
  return true;
}

function parseStringMember(c: Cursor): string | undefined {
  const v = parseString(c);
  if (v === undefined || !skipParameters(c)) return undefined;
  return v;
}

/** Parses WT-Available-Protocols; undefined when the field is malformed or holds a non-String. */
export function parseProtocolList(value: string): string[] | undefined {
  const c = new Cursor(value);
  c.skipSp();
  const out: string[] = [];
  while (!c.done) {
    const v = parseStringMember(c);
    if (v === undefined) return undefined;
    out.push(v);
    c.skipOws();
    if (c.done) return out;
    if (c.peek() !== ',') return undefined;
    c.pos++;
    c.skipOws();
    if (c.done) return undefined; // trailing comma
  }
  return out;
}

/** Parses WT-Protocol; undefined when malformed or not a String. */
export function parseProtocolItem(value: string): string | undefined {
  const c = new Cursor(value);
  c.skipSp();
  const v = parseStringMember(c);
  c.skipSp();
  return v !== undefined && c.done ? v : undefined;
}
