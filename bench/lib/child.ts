/**
 * Child processes for the benchmarks: each is started with the same Node flags as the parent
 * (so it can import the TypeScript sources), talks one JSON object per stdout line, is bounded
 * by a deadline, and is ended by its own pid, never by name.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface Child {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** The next JSON message the child prints (rejects on timeout or exit). */
  message<T = Record<string, unknown>>(timeoutMs: number): Promise<T>;
  /** Sends one JSON message to the child's stdin. */
  send(msg: unknown): void;
  /** Resolves with the exit code once the child has ended. */
  readonly exited: Promise<number | null>;
  /** Ends the child by pid (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
}

/** Flags every child gets: the parent's (TypeScript loader, conditions) plus extras. */
function childFlags(extra: readonly string[]): string[] {
  return [...process.execArgv.filter((a) => !a.startsWith('--cpu-prof') && a !== '--expose-gc'), ...extra];
}

/** Starts `script` (a path relative to bench/) with `args`. */
export function startChild(script: string, args: readonly string[], options: { nodeFlags?: readonly string[]; env?: NodeJS.ProcessEnv } = {}): Child {
  const path = fileURLToPath(new URL(`../${script}`, import.meta.url));
  const proc = spawn(process.execPath, [...childFlags(options.nodeFlags ?? []), path, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...options.env },
  });
  if (proc.pid === undefined) throw new Error(`could not start ${script}`);
  const pid = proc.pid;
  const lines: string[] = [];
  const waiters: ((line: string | null) => void)[] = [];
  let ended = false;
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    const w = waiters.shift();
    if (w) w(line);
    else lines.push(line);
  });
  const exited = new Promise<number | null>((resolve) => {
    proc.on('exit', (code) => {
      ended = true;
      for (const w of waiters.splice(0)) w(null);
      resolve(code);
    });
  });
  return {
    proc,
    pid,
    exited,
    message<T>(timeoutMs: number): Promise<T> {
      const line = lines.shift();
      if (line !== undefined) return Promise.resolve(JSON.parse(line) as T);
      if (ended) return Promise.reject(new Error(`${script} exited`));
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = waiters.indexOf(onLine);
          if (i >= 0) waiters.splice(i, 1);
          reject(new Error(`${script}: no message within ${timeoutMs} ms`));
        }, timeoutMs);
        const onLine = (l: string | null) => {
          clearTimeout(timer);
          if (l === null) reject(new Error(`${script} exited`));
          else {
            try {
              resolve(JSON.parse(l) as T);
            } catch (e) {
              reject(e as Error);
            }
          }
        };
        waiters.push(onLine);
      });
    },
    send(msg: unknown): void {
      if (!ended) proc.stdin!.write(JSON.stringify(msg) + '\n');
    },
    stop(): Promise<void> {
      return ended ? Promise.resolve() : stopByPid(pid, exited, () => ended, 2000);
    },
  };
}

/**
 * Ends a child process started by this process, by its pid: SIGTERM, then SIGKILL if it is still
 * running after `graceMs`; resolves once it exited.
 */
export async function stopByPid(pid: number, exited: Promise<unknown>, hasExited: () => boolean, graceMs: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const t = setTimeout(() => {
    try {
      if (!hasExited()) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, graceMs);
  await exited;
  clearTimeout(t);
}

/** Inside a child: prints one JSON message for the parent. */
export function tell(msg: unknown): void {
  process.stdout.write(JSON.stringify(msg) + '\n');
}

/** Inside a child: the next JSON message from the parent (stdin), or null when stdin ends. */
export function listenParent(): () => Promise<unknown> {
  const lines: string[] = [];
  const waiters: ((l: string | null) => void)[] = [];
  let ended = false;
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (l) => {
    const w = waiters.shift();
    if (w) w(l);
    else lines.push(l);
  });
  rl.on('close', () => {
    ended = true;
    for (const w of waiters.splice(0)) w(null);
  });
  return () => {
    const l = lines.shift();
    if (l !== undefined) return Promise.resolve(JSON.parse(l));
    if (ended) return Promise.resolve(null);
    return new Promise((resolve) => waiters.push((x) => resolve(x === null ? null : JSON.parse(x))));
  };
}

/** Inside a child: exits when the parent goes away (stdin closes) or after `maxMs`. */
export function exitWithParent(maxMs: number): void {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
  setTimeout(() => process.exit(3), maxMs).unref();
}
