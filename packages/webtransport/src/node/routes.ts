/**
 * Path routing of session requests: patterns such as `/echo`, `/rooms/:room` (a named segment)
 * and `/files/*` (the rest of the path, as `params['*']`). The query string is not part of the
 * match; it is handed to the handler parsed.
 * @module
 */

export interface RouteMatch<T> {
  readonly value: T;
  readonly params: Readonly<Record<string, string>>;
}

interface Route<T> {
  readonly segments: readonly string[];
  readonly value: T;
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

export class Router<T> {
  readonly #routes: Route<T>[] = [];

  add(pattern: string, value: T): void {
    if (!pattern.startsWith('/')) throw new TypeError(`a route pattern starts with '/': ${pattern}`);
    const segments = split(pattern);
    const star = segments.indexOf('*');
    if (star !== -1 && star !== segments.length - 1) throw new TypeError(`'*' may only end a pattern: ${pattern}`);
    this.#routes.push({ segments, value });
  }

  /** The first route (in order of addition) matching `path` (query ignored). */
  match(path: string): RouteMatch<T> | undefined {
    const q = path.indexOf('?');
    const parts = split(q === -1 ? path : path.slice(0, q));
    for (const r of this.#routes) {
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < r.segments.length && ok; i++) {
        const seg = r.segments[i]!;
        if (seg === '*') {
          params['*'] = parts.slice(i).map(safeDecode).join('/');
          return { value: r.value, params };
        }
        const part = parts[i];
        if (part === undefined) ok = false;
        else if (seg.startsWith(':')) params[seg.slice(1)] = safeDecode(part);
        else if (seg !== part) ok = false;
      }
      if (ok && parts.length === r.segments.length) return { value: r.value, params };
    }
    return undefined;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
