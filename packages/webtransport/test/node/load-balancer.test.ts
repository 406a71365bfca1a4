/**
 * `ConnectionLoadBalancer` over three real loopback servers: round_robin, weighted (and
 * updateTargetWeight), least_latency from health-check latencies, pooled connections, per-target
 * and overall stats, one server stopped mid-test and found unhealthy by the interval checks
 * (each bounded by the timeout), closeAllConnections and shutdown, and the typed errors.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateSelfSignedCertificate } from '@quicts/quic-core';
import { createNodeCryptoProvider } from '@quicts/quic-core/node';
import { LoadBalancerError, LoadBalancerErrorCode } from '@quicts/webtransport';
import { ConnectionLoadBalancer, createWebTransportServer, WebTransportConnection, type WebTransportServer } from '@quicts/webtransport/node';
import { installScenarios } from '../../../../examples/webtransport/scenarios.ts';

const crypto = createNodeCryptoProvider();
const cert = generateSelfSignedCertificate(crypto, { now: Date.now(), validityDays: 10, names: ['localhost', '127.0.0.1'] });
const config = { verify: { serverCertificateHashes: [cert.sha256] }, connectTimeout: 2000 };

const servers: WebTransportServer[] = [];
const urls: string[] = [];

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timeout: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const portOf = (c: WebTransportConnection): number => c.remoteAddress.port;

test.before(async () => {
  for (let i = 0; i < 3; i++) {
    const s = await createWebTransportServer({ cert: cert.certificatePem, key: cert.privateKeyPem, host: '127.0.0.1', port: 0 });
    installScenarios(s);
    servers.push(s);
    urls.push(`https://127.0.0.1:${s.address.port}`);
  }
});

test.after(async () => {
  await Promise.all(servers.map((s) => s.close({ timeout: 300 })));
});

test('round_robin cycles the targets with one pooled connection each; the sessions work', async () => {
  const lb = new ConnectionLoadBalancer({ targets: urls.map((url, i) => ({ url, id: `t${i}` })), config, healthCheckInterval: 0 });
  const conns: WebTransportConnection[] = [];
  for (let i = 0; i < 6; i++) conns.push(await lb.getConnection({ strategy: 'round_robin', path: '/echo' }));
  const ports = servers.map((s) => s.address.port);
  assert.equal(conns.map(portOf), [...ports, ...ports]);
  assert.is(conns[3], conns[0], 'pooled');
  const s = await conns[0]!.createSession();
  assert.is(s.path, '/echo');
  s.close();
  const st = lb.getTargetStats('t1');
  assert.is(st.selections, 2);
  assert.is(st.connectionsOpened, 1);
  assert.is(st.connected, true);
  assert.is(st.url, urls[1]);
  const all = lb.getLoadBalancerStats();
  assert.is(all.totalTargets, 3);
  assert.is(all.healthyTargets, 3);
  assert.is(all.activeConnections, 3);
  assert.is(all.totalRequests, 6);
  assert.is(all.failedRequests, 0);
  await lb.closeAllConnections();
  assert.ok(conns.every((c) => c.isClosed));
  assert.is(lb.getLoadBalancerStats().activeConnections, 0);
  await lb.shutdown();
});

test('weighted: picks in proportion to the weights; updateTargetWeight changes them; bad weights are refused', async () => {
  const lb = new ConnectionLoadBalancer({
    targets: [{ url: urls[0]!, id: 'a', weight: 3 }, { url: urls[1]!, id: 'b', weight: 1 }, { url: urls[2]!, id: 'c', weight: 0 }],
    config, healthCheckInterval: 0,
  });
  const count = async (n: number): Promise<number[]> => {
    const counts = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const c = await lb.getConnection({ strategy: 'weighted' });
      counts[servers.findIndex((s) => s.address.port === portOf(c))]!++;
    }
    return counts;
  };
  assert.equal(await count(8), [6, 2, 0]);
  lb.updateTargetWeight('c', 2);
  lb.updateTargetWeight('a', 1);
  assert.equal(await count(8), [2, 2, 4]);
  assert.is(lb.getTargetStats('c').weight, 2);
  try {
    lb.updateTargetWeight('c', -1);
    assert.unreachable('accepted');
  } catch (e) {
    assert.instance(e, LoadBalancerError);
    assert.is((e as LoadBalancerError).code, LoadBalancerErrorCode.INVALID_WEIGHT);
  }
  try {
    lb.getTargetStats('zz');
    assert.unreachable('found');
  } catch (e) {
    assert.is((e as LoadBalancerError).code, LoadBalancerErrorCode.UNKNOWN_TARGET);
  }
  await lb.shutdown();
});

test('least_latency follows the latencies the health checks report (each check a real connection)', async () => {
  // The checker really connects, but reports a fixed latency per target: the connect time itself
  // varies too much on a loaded machine for the ordering to be asserted from a clock.
  const reported = [200, 10, 400];
  const lb = new ConnectionLoadBalancer({
    targets: urls.map((url, i) => ({ url, id: `t${i}` })), config, healthCheckInterval: 0, healthCheckTimeout: 8000,
    healthChecker: async (t, cfg) => {
      const c = await WebTransportConnection.connect(t.url, cfg);
      await c.close();
      return reported[urls.indexOf(t.url)]!;
    },
  });
  await lb.checkHealth();
  const lat = lb.targets.map((t) => t.latencyMs!);
  assert.ok(lat[1]! < lat[0]! && lat[0]! < lat[2]!, JSON.stringify(lat));
  assert.is(portOf(await lb.getConnection({ strategy: 'least_latency' })), servers[1]!.address.port);
  reported[1] = 600;
  await lb.checkHealth();
  assert.is(portOf(await lb.getConnection({ strategy: 'least_latency' })), servers[0]!.address.port);
  assert.is(lb.getTargetStats('t0').healthChecks, 2);
  await lb.shutdown();
});

test('a server stopped mid-test: the interval checks (with a timeout) mark it unhealthy and it gets no more connections', async () => {
  const extra = await createWebTransportServer({ cert: cert.certificatePem, key: cert.privateKeyPem, host: '127.0.0.1', port: 0 });
  installScenarios(extra);
  const targets = [urls[0]!, `https://127.0.0.1:${extra.address.port}`, urls[1]!];
  const lb = new ConnectionLoadBalancer({ targets: targets.map((url, i) => ({ url, id: `t${i}` })), config, healthCheckInterval: 100, healthCheckTimeout: 300 });
  await until(() => lb.targets.every((t) => t.healthChecks >= 1), 5000, 'first checks');
  assert.is(lb.getLoadBalancerStats().healthyTargets, 3);
  const before = await lb.getConnection({ strategy: 'round_robin' });
  const viaExtra = await lb.getConnection({ strategy: 'round_robin' });
  assert.is(portOf(viaExtra), extra.address.port);
  assert.ok(before !== viaExtra, 'two connections');
  await extra.close({ timeout: 300 });
  await until(() => !lb.getTargetStats('t1').healthy, 5000, 'target found unhealthy');
  const st = lb.getTargetStats('t1');
  assert.ok(st.consecutiveFailures >= 1, JSON.stringify(st));
  assert.is(st.connected, false);
  assert.is(lb.getLoadBalancerStats().healthyTargets, 2);
  const ports = new Set<number>();
  for (let i = 0; i < 6; i++) ports.add(portOf(await lb.getConnection({ strategy: 'round_robin' })));
  assert.equal([...ports].sort(), [servers[0]!.address.port, servers[1]!.address.port].sort());
  assert.ok(lb.getLoadBalancerStats().healthChecks >= 4, JSON.stringify(lb.getLoadBalancerStats()));
  await lb.shutdown();
  assert.is(lb.getLoadBalancerStats().isShutDown, true);
  try {
    await lb.getConnection();
    assert.unreachable('connected');
  } catch (e) {
    assert.instance(e, LoadBalancerError);
    assert.is((e as LoadBalancerError).code, LoadBalancerErrorCode.SHUT_DOWN);
  }
});

test('no healthy target, and a target that refuses connects, are typed errors', async () => {
  const lb = new ConnectionLoadBalancer({ targets: ['https://127.0.0.1:9'], config: { ...config, connectTimeout: 200 }, healthCheckInterval: 0, healthCheckTimeout: 300 });
  try {
    await lb.getConnection();
    assert.unreachable('connected');
  } catch (e) {
    assert.instance(e, LoadBalancerError);
    assert.is((e as LoadBalancerError).code, LoadBalancerErrorCode.CONNECT_FAILED);
  }
  assert.is(lb.getTargetStats('https://127.0.0.1:9').connectFailures, 1);
  try {
    await lb.getConnection();
    assert.unreachable('connected');
  } catch (e) {
    assert.is((e as LoadBalancerError).code, LoadBalancerErrorCode.NO_HEALTHY_TARGET);
  }
  assert.is(lb.getLoadBalancerStats().failedRequests, 2);
  await lb.shutdown();
});

test.run();
