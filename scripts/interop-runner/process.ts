/**
 * Child processes and ports for the interop runner: start a command with its output collected,
 * stop it by its pid (SIGTERM, then SIGKILL after 3 s), wait for a server to announce or bind its
 * UDP port, and find a free loopback UDP port.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = fileURLToPath(new URL('../../', import.meta.url));

export interface Running {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<number | null>;
}

export function start(command: string, args: string[], env: Record<string, string>, cwd = root): Running {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const r: Running = { child, stdout: '', stderr: '', exit: Promise.resolve(null) };
  child.stdout!.on('data', (d) => (r.stdout += d.toString()));
  child.stderr!.on('data', (d) => (r.stderr += d.toString()));
  r.exit = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  return r;
}

export async function stop(r: Running): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  r.child.kill('SIGTERM');
  const killed = await Promise.race([r.exit.then(() => true), new Promise<boolean>((res) => setTimeout(() => res(false), 3000))]);
  if (!killed) r.child.kill('SIGKILL');
  await r.exit;
}

/** The port a server printed as `listening on HOST:PORT`, or undefined if it exited or `ms` passed. */
export async function waitForListening(r: Running, ms: number): Promise<number | undefined> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const out = r.stdout + '\n' + r.stderr;
    const m = /listening\s+(?:on\s+)?(?:https?:\/\/)?\S*:(\d+)/i.exec(out);
    if (m) return Number(m[1]);
    if (r.child.exitCode !== null) return undefined;
    await new Promise((res) => setTimeout(res, 50));
  }
  return undefined;
}

export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Whether some socket holds UDP 127.0.0.1:`port` (a bind of our own fails). */
async function udpPortTaken(port: number): Promise<boolean> {
  const s = createSocket('udp4');
  const taken = await new Promise<boolean>((resolve) => {
    s.once('error', () => resolve(true));
    s.bind(port, '127.0.0.1', () => resolve(false));
  });
  await new Promise<void>((resolve) => {
    try {
      s.close(() => resolve());
    } catch {
      resolve();
    }
  });
  return taken;
}

/** Waits until a server that prints nothing has bound UDP `port`; false if it exited or `ms` passed. */
export async function waitForUdpBind(r: Running, port: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (r.child.exitCode !== null) return false;
    if (await udpPortTaken(port)) return true;
    await new Promise((res) => setTimeout(res, 50));
  }
  return false;
}
