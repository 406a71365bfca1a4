import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { QUIC_V1, TransportErrorCode } from '@quicts/quic-core';
import { QlogTrace, parseJsonSeq, QLOG_VERSION, type QlogTraceOptions } from '../../src/qlog/index.ts';

type Rec = Record<string, any>;

function traced(options: Partial<QlogTraceOptions> = {}) {
  const lines: string[] = [];
  const trace = new QlogTrace({ sink: (l) => lines.push(l), vantagePoint: 'client', referenceNow: 1000, ...options });
  const records = (): Rec[] => parseJsonSeq(lines.join('')) as Rec[];
  return { trace, lines, records };
}

test('the header comes first: qlog_version, qlog_format JSON-SEQ, common fields, vantage point', () => {
  const odcid = Uint8Array.of(0x83, 0x94, 0xc8, 0xf0);
  const { lines, records } = traced({ odcid, vantagePointName: 'quicts client', referenceTime: 1_700_000_000_000, title: 't' });
  assert.is(lines.length, 1);
  const [h] = records();
  assert.is(h!.qlog_version, QLOG_VERSION);
  assert.is(h!.qlog_format, 'JSON-SEQ');
  assert.is(h!.title, 't');
  assert.equal(h!.trace.vantage_point, { type: 'client', name: 'quicts client' });
  assert.equal(h!.trace.common_fields, {
    protocol_type: ['QUIC'], time_format: 'relative', reference_time: 1_700_000_000_000, group_id: '8394c8f0', ODCID: '8394c8f0',
  });
  // Tools sniff the version and format in the first 256 bytes (main schema).
  assert.ok(lines[0]!.indexOf('"qlog_format"') < 256 && lines[0]!.indexOf('"qlog_version"') < 256);
});

test('every line is one JSON-SEQ record', () => {
  const { trace, lines } = traced();
  trace.packetSent(1001, { header: { packetType: 'initial', packetNumber: 0 } });
  trace.metricsUpdated(1002, { smoothedRtt: 30 });
  for (const line of lines) {
    assert.is(line.charCodeAt(0), 0x1e);
    assert.ok(line.endsWith('\n'));
    assert.is(line.indexOf('\n'), line.length - 1);
    JSON.parse(line.slice(1));
  }
});

test('event time is relative to the reference now, in ms with microsecond precision', () => {
  const { trace, records } = traced();
  trace.event(1000, 'quic:test', {});
  trace.event(1012.3456789, 'quic:test', {});
  const [, a, b] = records();
  assert.is(a!.time, 0);
  assert.is(b!.time, 12.346);
});

test('quic:packet_sent and quic:packet_received carry header, frames and raw lengths', () => {
  const { trace, records } = traced();
  const dcid = Uint8Array.of(1, 2, 3, 4);
  trace.packetSent(1005, {
    header: { packetType: 'initial', packetNumber: 3, version: QUIC_V1, dcid, scid: Uint8Array.of(9), token: new Uint8Array(20) },
    frames: [{ type: 'crypto', offset: 0, data: new Uint8Array(100) }, { type: 'padding', length: 1050 }],
    length: 1200, payloadLength: 1150,
  });
  trace.packetReceived(1010, { header: { packetType: '1RTT', packetNumber: 7, keyPhase: false }, frames: [{ type: 'ping' }], isCoalesced: true });
  const [, sent, received] = records();
  assert.is(sent!.name, 'quic:packet_sent');
  assert.equal(sent!.data.header, {
    packet_type: 'initial', packet_number: 3, version: '00000001', scil: 1, scid: '09', dcil: 4, dcid: '01020304', token: { raw: { length: 20 } },
  });
  assert.equal(sent!.data.frames, [{ frame_type: 'crypto', offset: 0, length: 100 }, { frame_type: 'padding', length: 1050, raw: { payload_length: 1050 } }]);
  assert.equal(sent!.data.raw, { length: 1200, payload_length: 1150 });
  assert.is(received!.name, 'quic:packet_received');
  assert.equal(received!.data, { header: { packet_type: '1RTT', packet_number: 7, key_phase_bit: false }, frames: [{ frame_type: 'ping' }], is_coalesced: true });
});

test('ACK delays use the sender exponent: ours when sending, the peer one when receiving', () => {
  const { trace, records } = traced({ localAckDelayExponent: 0, peerAckDelayExponent: 10 });
  const ack = { type: 'ack' as const, largest: 1, ackDelay: 1000, ranges: [[0, 1]] as [number, number][] };
  trace.packetSent(1000, { header: { packetType: '1RTT' }, frames: [ack] });
  trace.packetReceived(1000, { header: { packetType: '1RTT' }, frames: [ack] });
  const [, s, r] = records();
  assert.is(s!.data.frames[0].ack_delay, 1);
  assert.is(r!.data.frames[0].ack_delay, 1024);
});

test('quic:packet_dropped, stateless reset and version negotiation packets', () => {
  const { trace, records } = traced();
  trace.packetDropped(1001, { header: { packetType: 'handshake' }, length: 300, trigger: 'key_unavailable' });
  trace.packetDropped(1001, { length: 5 });
  trace.packetReceived(1002, { header: { packetType: 'stateless_reset' }, statelessResetToken: new Uint8Array(16).fill(0xab) });
  trace.packetReceived(1003, { header: { packetType: 'version_negotiation' }, supportedVersions: [QUIC_V1, 0x0a0a0a0a] });
  const [, d1, d2, sr, vn] = records();
  assert.equal(d1, { time: 1, name: 'quic:packet_dropped', data: { header: { packet_type: 'handshake' }, raw: { length: 300 }, trigger: 'key_unavailable' } });
  assert.equal(d2!.data, { raw: { length: 5 } });
  assert.is(sr!.data.stateless_reset_token, 'ab'.repeat(16));
  assert.equal(vn!.data.supported_versions, ['00000001', '0a0a0a0a']);
});

test('recovery:metrics_updated logs only the figures that changed', () => {
  const { trace, records } = traced();
  assert.ok(trace.metricsUpdated(1001, { smoothedRtt: 25, rttVariance: 12.5, congestionWindow: 12000, bytesInFlight: 0 }));
  assert.ok(trace.metricsUpdated(1002, { smoothedRtt: 25, rttVariance: 10, congestionWindow: 12000, bytesInFlight: 1200, ptoCount: 0 }));
  assert.not.ok(trace.metricsUpdated(1003, { smoothedRtt: 25, bytesInFlight: 1200 }));
  const events = records().slice(1);
  assert.is(events.length, 2);
  assert.equal(events[0]!.data, { smoothed_rtt: 25, rtt_variance: 12.5, congestion_window: 12000, bytes_in_flight: 0 });
  assert.equal(events[1]!.data, { rtt_variance: 10, bytes_in_flight: 1200, pto_count: 0 });
  assert.is(events[0]!.name, 'recovery:metrics_updated');
});

test('security:key_updated and key_discarded; secrets only when given', () => {
  const { trace, records } = traced();
  trace.keyUpdated(1001, { keyType: 'client_1rtt_secret', generation: 1, trigger: 'local_update' });
  trace.keyUpdated(1001, { keyType: 'server_1rtt_secret', secret: Uint8Array.of(1, 2) });
  trace.keyDiscarded(1002, { keyType: 'client_initial_secret', trigger: 'tls' });
  const [, a, b, c] = records();
  assert.equal(a, { time: 1, name: 'security:key_updated', data: { key_type: 'client_1rtt_secret', generation: 1, trigger: 'local_update' } });
  assert.equal(b!.data, { key_type: 'server_1rtt_secret', new: '0102' });
  assert.equal(c!.data, { key_type: 'client_initial_secret', trigger: 'tls' });
});

test('quic:connection_closed with transport and application codes', () => {
  const { trace, records } = traced();
  trace.connectionClosed(1100, { owner: 'local', transportCode: TransportErrorCode.FLOW_CONTROL_ERROR, reason: 'too much', trigger: 'error' });
  trace.connectionClosed(1100, { owner: 'remote', applicationCode: 0x100, trigger: 'application' });
  trace.connectionClosed(1100, { trigger: 'idle_timeout' });
  const [, a, b, c] = records();
  assert.equal(a!.data, { owner: 'local', connection_code: 'flow_control_error', reason: 'too much', trigger: 'error' });
  assert.equal(b!.data, { owner: 'remote', application_code: 0x100, trigger: 'application' });
  assert.equal(c!.data, { trigger: 'idle_timeout' });
});

test('connectivity and negotiation events', () => {
  const { trace, records } = traced();
  trace.connectionStarted(1000, { ipVersion: 'ipv4', srcIp: '127.0.0.1', dstIp: '127.0.0.1', srcPort: 5000, dstPort: 443, dstCid: Uint8Array.of(7) });
  trace.connectionStateUpdated(1001, { old: 'attempted', new: 'handshake_complete' });
  trace.connectionIdUpdated(1002, { owner: 'remote', old: Uint8Array.of(1), new: Uint8Array.of(2) });
  trace.versionInformation(1003, { clientVersions: [QUIC_V1], chosenVersion: QUIC_V1 });
  trace.alpnInformation(1004, { clientAlpns: ['hq-interop'], chosenAlpn: 'hq-interop' });
  trace.parametersSet(1005, 'remote', { initial_max_data: 1000, stateless_reset_token: Uint8Array.of(0xff) });
  trace.streamStateUpdated(1006, { streamId: 0, new: 'closed', side: 'sending' });
  trace.congestionStateUpdated(1007, { old: 'slow_start', new: 'recovery' });
  trace.recoveryParametersSet(1008, { reordering_threshold: 3 });
  trace.packetLost(1009, { header: { packetType: '1RTT', packetNumber: 4 }, frames: [{ type: 'maxData', maximum: 5 }], trigger: 'time_threshold' });
  const events = records().slice(1);
  assert.equal(events.map((e) => e.name), [
    'quic:connection_started', 'quic:connection_state_updated', 'quic:connection_id_updated', 'quic:version_information',
    'quic:alpn_information', 'quic:parameters_set', 'quic:stream_state_updated', 'recovery:congestion_state_updated',
    'recovery:parameters_set', 'recovery:packet_lost',
  ]);
  assert.equal(events[0]!.data, { ip_version: 'ipv4', src_ip: '127.0.0.1', dst_ip: '127.0.0.1', protocol: 'QUIC', src_port: 5000, dst_port: 443, dst_cid: '07' });
  assert.equal(events[3]!.data, { client_versions: ['00000001'], chosen_version: '00000001' });
  assert.equal(events[5]!.data, { owner: 'remote', initial_max_data: 1000, stateless_reset_token: 'ff' });
  assert.equal(events[9]!.data, { header: { packet_type: '1RTT', packet_number: 4 }, frames: [{ frame_type: 'max_data', maximum: 5 }], trigger: 'time_threshold' });
});

test('legacy naming for draft-02 tools', () => {
  const { trace, records } = traced({ eventNaming: 'legacy' });
  trace.packetSent(1000, { header: { packetType: '1RTT' } });
  trace.connectionClosed(1000, {});
  trace.metricsUpdated(1000, { latestRtt: 1 });
  assert.equal(records().slice(1).map((e) => e.name), ['transport:packet_sent', 'connectivity:connection_closed', 'recovery:metrics_updated']);
});

test('after close() nothing more is written', () => {
  const { trace, lines } = traced();
  trace.close();
  assert.ok(trace.closed);
  trace.packetSent(1001, { header: { packetType: '1RTT' } });
  assert.is(lines.length, 1);
});

test('a whole trace parses as a qvis-style sequence: header then time-ordered events', () => {
  const { trace, lines, records } = traced({ vantagePoint: 'server', odcid: Uint8Array.of(1) });
  for (let i = 0; i < 50; i++) trace.packetSent(1000 + i, { header: { packetType: '1RTT', packetNumber: i }, frames: [{ type: 'ping' }] });
  const text = lines.join('');
  assert.is(text.split('\x1e').length, 52);
  const [header, ...events] = records();
  assert.ok('trace' in header!);
  let last = -1;
  for (const e of events) {
    assert.ok(typeof e.time === 'number' && e.time >= last);
    assert.ok(typeof e.name === 'string' && e.name.includes(':'));
    assert.ok(typeof e.data === 'object');
    last = e.time;
  }
});

test.run();
