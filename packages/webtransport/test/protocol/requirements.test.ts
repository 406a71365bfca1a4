/**
 * What WebTransport requires of the peer beyond its dialect setting (draft -15 §3.1): the
 * server's SETTINGS_ENABLE_CONNECT_PROTOCOL, SETTINGS_H3_DATAGRAM and a non-zero
 * max_datagram_frame_size. A client facing a draft -15 server that lacks them closes with
 * WT_REQUIREMENTS_NOT_MET; under draft -13/-14 (no such code) it only opens no session; a server
 * refuses the requests as malformed (H3_MESSAGE_ERROR) and keeps the connection.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { H3Connection, H3ErrorCode, settingsFromEntries, type H3SettingsInit } from '@quicts/h3';
import {
  negotiateWt, WebTransportErrorCode as WT, WtConnection, WT_DEFAULT_LOCAL_SETTINGS, wtAnnouncedDialects, wtDefinesRequirementsNotMet,
  wtRequirementsNotMet, wtUnmetRequirements, type WtConnectionOptions, type WtDialect, type WtPeerTransport, type WtRequirement,
} from '@quicts/webtransport';
import { FakeQuicEndpoint } from '../../../h3/test/fake-quic.ts';
import { deliver, only, WtPair } from './wt-pair.ts';

const ECP = 0x08;
const H3_DATAGRAM = 0x33;
const WT_ENABLED_15 = 0x2c7cf000;
const WT_MAX_SESSIONS_13 = 0x14e9cd29;
const WT_ENABLE_02 = 0x2b603742;

const settings = (entries: [number, number][]) => settingsFromEntries(entries.map(([id, value]) => ({ id, value })));

// ---- the checks, as functions --------------------------------------------------------------------

test('the server must announce extended CONNECT; a client is not asked to', () => {
  const noEcp = settings([[H3_DATAGRAM, 1], [WT_ENABLED_15, 1]]);
  for (const d of ['draft02', 'draft07', 'draft13', 'draft15'] as WtDialect[]) {
    assert.equal(wtUnmetRequirements('client', d, noEcp), ['enable-connect-protocol'], d);
    assert.equal(wtUnmetRequirements('server', d, noEcp), [], d);
  }
});

test('HTTP/3 datagrams from draft-07 on; QUIC datagrams whenever the transport parameters are known', () => {
  const noDatagram = settings([[ECP, 1], [WT_ENABLED_15, 1], [WT_ENABLE_02, 1]]);
  assert.equal(wtUnmetRequirements('client', 'draft15', noDatagram), ['h3-datagram']);
  assert.equal(wtUnmetRequirements('client', 'draft02', noDatagram), []);
  const full = settings([[ECP, 1], [H3_DATAGRAM, 1], [WT_ENABLED_15, 1]]);
  assert.equal(wtUnmetRequirements('client', 'draft15', full), []);
  const noQuicDatagram: WtPeerTransport = { maxDatagramFrameSize: 0 };
  const missing: WtRequirement[] = ['quic-datagram'];
  assert.equal(wtUnmetRequirements('client', 'draft15', full, noQuicDatagram), missing);
  assert.equal(wtUnmetRequirements('server', 'draft15', full, noQuicDatagram), missing);
  assert.equal(wtUnmetRequirements('client', 'draft15', full, { maxDatagramFrameSize: 65535 }), []);
});

test('only draft-15 and later define WT_REQUIREMENTS_NOT_MET', () => {
  assert.equal(['draft02', 'draft07', 'draft13', 'draft15'].map((d) => wtDefinesRequirementsNotMet(d as WtDialect)), [false, false, false, true]);
  assert.is(WT.WT_REQUIREMENTS_NOT_MET, 0x212c0d48);
});

test('negotiation skips dialects whose requirements are not met; the report names the highest announced', () => {
  const local = WT_DEFAULT_LOCAL_SETTINGS;
  const noEcp = settings([[H3_DATAGRAM, 1], [WT_ENABLED_15, 1], [WT_MAX_SESSIONS_13, 4]]);
  assert.equal(wtAnnouncedDialects(noEcp), ['draft13', 'draft15']);
  assert.is(negotiateWt('client', local, noEcp), undefined);
  assert.equal(wtRequirementsNotMet('client', local, noEcp), { dialect: 'draft15', missing: ['enable-connect-protocol'] });
  // The same SETTINGS from a client are fine: a server does not need its extended CONNECT.
  assert.is(negotiateWt('server', local, noEcp)?.dialect, 'draft15');
  assert.is(wtRequirementsNotMet('server', local, noEcp), undefined);
  // A lower dialect that is usable is taken (nothing to report).
  const fallback = settings([[ECP, 1], [WT_ENABLED_15, 1], [WT_ENABLE_02, 1]]);
  assert.is(negotiateWt('client', local, fallback)?.dialect, 'draft02');
  assert.is(wtRequirementsNotMet('client', local, fallback), undefined);
  // No dialect in common at all: nothing to report either.
  assert.is(wtRequirementsNotMet('client', { ...local, dialects: ['draft07'] }, noEcp), undefined);
  // Without QUIC datagrams no dialect is usable.
  const full = settings([[ECP, 1], [H3_DATAGRAM, 1], [WT_ENABLED_15, 1], [WT_ENABLE_02, 1]]);
  assert.is(negotiateWt('client', local, full, { maxDatagramFrameSize: 1200 })?.dialect, 'draft15');
  assert.is(negotiateWt('client', local, full, { maxDatagramFrameSize: 0 }), undefined);
  assert.equal(wtRequirementsNotMet('client', local, full, { maxDatagramFrameSize: 0 }), { dialect: 'draft15', missing: ['quic-datagram'] });
});

// ---- a client against a server whose SETTINGS we write ------------------------------------------

/** Our client against a bare HTTP/3 server sending `serverSettings`; SETTINGS delivered both ways. */
function clientAgainst(serverSettings: H3SettingsInit, client: Partial<WtConnectionOptions> = {}) {
  const cPort = new FakeQuicEndpoint('client');
  const sPort = new FakeQuicEndpoint('server');
  const wt = new WtConnection({ ...client, role: 'client', port: cPort });
  const server = new H3Connection({ role: 'server', port: sPort, settings: serverSettings });
  for (let i = 0; i < 20; i++) {
    const a = cPort.outbox.splice(0);
    const b = sPort.outbox.splice(0);
    if (a.length === 0 && b.length === 0) break;
    for (const op of a) if (op.kind === 'data' && sPort.closed === undefined) server.handleStreamData(op.streamId, op.data, op.fin);
    for (const op of b) deliver(op, wt, cPort, 7);
  }
  const events = [];
  for (let e = wt.pollEvent(); e !== null; e = wt.pollEvent()) events.push(e);
  return { wt, cPort, events };
}

test('draft-15 server without SETTINGS_ENABLE_CONNECT_PROTOCOL: the client closes with WT_REQUIREMENTS_NOT_MET', () => {
  const { wt, cPort, events } = clientAgainst({ h3Datagram: true, extra: [[WT_ENABLED_15, 1]] });
  assert.is(cPort.closed?.code, WT.WT_REQUIREMENTS_NOT_MET);
  assert.match(cPort.closed!.reason, /enable-connect-protocol/);
  assert.equal(wt.requirementsNotMet, { dialect: 'draft15', missing: ['enable-connect-protocol'] });
  assert.is(only(events, 'settings')[0]?.dialect, undefined);
  assert.is(wt.h3.isClosed, true);
});

test('draft-15 server without SETTINGS_H3_DATAGRAM: closed with WT_REQUIREMENTS_NOT_MET', () => {
  const { wt, cPort } = clientAgainst({ enableConnectProtocol: true, extra: [[WT_ENABLED_15, 1]] });
  assert.is(cPort.closed?.code, WT.WT_REQUIREMENTS_NOT_MET);
  assert.equal(wt.requirementsNotMet?.missing, ['h3-datagram']);
});

test('the server\'s max_datagram_frame_size of 0 (transport parameters given): closed with WT_REQUIREMENTS_NOT_MET', () => {
  const { wt, cPort } = clientAgainst(
    { enableConnectProtocol: true, h3Datagram: true, extra: [[WT_ENABLED_15, 1]] },
    { peerTransport: { maxDatagramFrameSize: 0 } },
  );
  assert.is(cPort.closed?.code, WT.WT_REQUIREMENTS_NOT_MET);
  assert.equal(wt.requirementsNotMet?.missing, ['quic-datagram']);
});

test('a complete draft-15 server is accepted; with max_datagram_frame_size > 0 too', () => {
  for (const peerTransport of [undefined, { maxDatagramFrameSize: 1200 }]) {
    const { wt, cPort } = clientAgainst(
      { enableConnectProtocol: true, h3Datagram: true, extra: [[WT_ENABLED_15, 1]] },
      peerTransport === undefined ? {} : { peerTransport },
    );
    assert.is(cPort.closed, undefined);
    assert.is(wt.negotiated?.dialect, 'draft15');
    assert.is(wt.requirementsNotMet, undefined);
  }
});

test('draft-13/-14 define no such code: the client keeps the connection but opens no session', () => {
  const { wt, cPort } = clientAgainst({ h3Datagram: true, extra: [[WT_MAX_SESSIONS_13, 4]] });
  assert.is(cPort.closed, undefined);
  assert.equal(wt.requirementsNotMet, { dialect: 'draft13', missing: ['enable-connect-protocol'] });
  assert.throws(() => wt.createSession({ authority: 'example.com', path: '/', origin: 'https://example.com' }), (e: unknown) => e instanceof TypeError && /enable-connect-protocol/.test(e.message));
  // The connection still serves ordinary requests.
  assert.type(wt.h3.sendRequest([
    { name: ':method', value: 'GET' }, { name: ':scheme', value: 'https' }, { name: ':authority', value: 'example.com' }, { name: ':path', value: '/' },
  ], { endStream: true }), 'number');
});

test('a client told to keep the connection does not close it', () => {
  const { wt, cPort } = clientAgainst({ h3Datagram: true, extra: [[WT_ENABLED_15, 1]] }, { closeOnRequirementsNotMet: false });
  assert.is(cPort.closed, undefined);
  assert.equal(wt.requirementsNotMet?.missing, ['enable-connect-protocol']);
  assert.throws(() => wt.createSession({ authority: 'example.com', path: '/', origin: 'https://example.com' }), TypeError);
});

test('a server without any WebTransport setting is no reason to close', () => {
  const { wt, cPort } = clientAgainst({ enableConnectProtocol: true, h3Datagram: true });
  assert.is(cPort.closed, undefined);
  assert.is(wt.negotiated, undefined);
  assert.is(wt.requirementsNotMet, undefined);
});

test('a draft-15 server lacking H3_DATAGRAM but speaking draft-02 is used with draft-02', () => {
  const { wt, cPort } = clientAgainst({ enableConnectProtocol: true, extra: [[WT_ENABLED_15, 1], [WT_ENABLE_02, 1]] });
  assert.is(cPort.closed, undefined);
  assert.is(wt.negotiated?.dialect, 'draft02');
});

// ---- the server side -------------------------------------------------------------------------------

test('server: a client without QUIC datagrams gets its requests reset with H3_MESSAGE_ERROR; the connection stays', () => {
  const pair = new WtPair({ server: { peerTransport: { maxDatagramFrameSize: 0 } } });
  pair.run();
  assert.is(pair.server.negotiated, undefined);
  assert.equal(pair.server.requirementsNotMet, { dialect: 'draft15', missing: ['quic-datagram'] });
  assert.is(pair.serverPort.closed, undefined, 'the server does not close (draft -15 §3.1: the sessions are malformed)');
  assert.is(pair.client.negotiated?.dialect, 'draft15');
  const sid = pair.client.createSession({ authority: 'example.com', path: '/echo', origin: 'https://example.com' })!;
  pair.run();
  assert.equal(only(pair.take('server'), 'session-request'), []);
  const closed = only(pair.take('client'), 'session-closed');
  assert.equal(closed.map((e) => [e.sessionId, e.error]), [[sid, H3ErrorCode.H3_MESSAGE_ERROR]]);
  assert.is(pair.clientPort.closed, undefined);
});

test.run();
