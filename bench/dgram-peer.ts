/**
 * One side of the raw node:dgram blast (the transfer baseline). `receiver` binds loopback,
 * prints its port, counts datagrams until told to stop, and prints what it saw. `sender <port>
 * <size> <ms>` connects and sends batches of 32 datagrams, awaiting each batch's callbacks,
 * until its time is up, then prints how many it sent.
 * @module
 */
import dgram from 'node:dgram';
import { exitWithParent, listenParent, tell } from './lib/child.ts';

const [role, ...args] = process.argv.slice(2);
const BATCH = 32;

if (role === 'receiver') {
  exitWithParent(120_000);
  const next = listenParent();
  const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  let packets = 0;
  let bytes = 0;
  let first = 0;
  let last = 0;
  sock.on('message', (msg) => {
    const t = performance.now();
    if (packets === 0) first = t;
    last = t;
    packets++;
    bytes += msg.length;
  });
  sock.bind(0, '127.0.0.1', () => tell({ port: sock.address().port }));
  await next(); // "stop"
  sock.close();
  tell({ packets, bytes, ms: last - first, cpuUs: process.cpuUsage().user + process.cpuUsage().system });
  process.exit(0);
} else if (role === 'sender') {
  exitWithParent(120_000);
  const port = Number(args[0]);
  const size = Number(args[1]);
  const durationMs = Number(args[2]);
  const sock = dgram.createSocket({ type: 'udp4', sendBufferSize: 4 * 1024 * 1024 });
  await new Promise<void>((resolve) => sock.connect(port, '127.0.0.1', () => resolve()));
  const buf = Buffer.alloc(size, 0x5a);
  let sent = 0;
  const start = performance.now();
  while (performance.now() - start < durationMs) {
    await new Promise<void>((resolve) => {
      let pending = BATCH;
      const done = () => {
        if (--pending === 0) resolve();
      };
      for (let i = 0; i < BATCH; i++) sock.send(buf, done);
    });
    sent += BATCH;
  }
  const ms = performance.now() - start;
  sock.close();
  tell({ sent, ms });
  process.exit(0);
} else {
  process.stderr.write('usage: dgram-peer receiver | sender <port> <size> <ms>\n');
  process.exit(2);
}
