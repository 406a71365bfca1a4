import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { loadVectors } from '@quicts/testkit';
import {
  TransportError, TransportErrorCode, TransportParameterId, TRANSPORT_PARAMETER_DEFAULTS, createTransportParameters,
  encodeTransportParameters, decodeTransportParameters, isReservedTransportParameterId, greaseTransportParameter,
  authenticateConnectionIds, fromHex, toHex, Writer,
} from '@quicts/quic-core';
import type { TransportParameters, PreferredAddress } from '@quicts/quic-core';

const TPE = TransportErrorCode.TRANSPORT_PARAMETER_ERROR;

function isParamError(e: unknown): boolean {
  return e instanceof TransportError && e.code === TPE;
}

function rejects(hex: string, sentBy: 'client' | 'server', why: string): void {
  assert.throws(() => decodeTransportParameters(fromHex(hex), sentBy), isParamError, why);
}

/** One parameter: id, then a length, then the value (all hex). */
function param(id: number, valueHex: string): string {
  const value = fromHex(valueHex);
  return toHex(new Writer().varint(id).varint(value.length).bytes(value).finish());
}

/** A varint parameter at its minimal encoding. */
function varintParam(id: number, value: number): string {
  return param(id, toHex(new Writer().varint(value).finish()));
}

// ---------------------------------------------------------------------------------------------
// Vectors

// Worked out by hand from RFC 9000 §16 and §18:
//   01 04 80007530          max_idle_timeout = 30000 (4-byte varint)
//   04 04 80100000          initial_max_data = 1048576
//   08 02 4064              initial_max_streams_bidi = 100
//   0f 04 01020304          initial_source_connection_id
//   6ab2 00                 grease_quic_bit (id 0x2ab2 is a 2-byte varint), empty value
const CLIENT_HEX = '010480007530' + '040480100000' + '08024064' + '0f0401020304' + '6ab200';

test('hand-derived client vector encodes and decodes', () => {
  const p = createTransportParameters({
    maxIdleTimeout: 30000,
    initialMaxData: 1048576,
    initialMaxStreamsBidi: 100,
    initialSourceConnectionId: fromHex('01020304'),
    greaseQuicBit: true,
  });
  assert.is(toHex(encodeTransportParameters(p)), CLIENT_HEX);
  assert.equal(decodeTransportParameters(fromHex(CLIENT_HEX), 'client'), p);
});

// Server vector:
//   00 08 8394c8f03e515708                   original_destination_connection_id
//   02 10 ffeeddccbbaa99887766554433221100   stateless_reset_token
//   0d 2d                                    preferred_address, 45 = 4+2+16+2+1+4+16 bytes:
//      c0000201 01bb                         192.0.2.1 port 443
//      20010db8000000000000000000000001 01bb 2001:db8::1 port 443
//      04 aabbccdd                           connection ID
//      000102030405060708090a0b0c0d0e0f      stateless reset token
//   0f 04 11223344                           initial_source_connection_id
//   11 0c 00000001 00000001 6b3343cf         version_information: chosen v1, available v1, v2
//   20 04 8000ffff                           max_datagram_frame_size = 65535
const SERVER_HEX =
  '00088394c8f03e515708' +
  '0210ffeeddccbbaa99887766554433221100' +
  '0d2d' + 'c000020101bb' + '20010db800000000000000000000000101bb' + '04aabbccdd' + '000102030405060708090a0b0c0d0e0f' +
  '0f0411223344' +
  '110c00000001000000016b3343cf' +
  '20048000ffff';

const PREFERRED: PreferredAddress = {
  ipv4Address: fromHex('c0000201'),
  ipv4Port: 443,
  ipv6Address: fromHex('20010db8000000000000000000000001'),
  ipv6Port: 443,
  connectionId: fromHex('aabbccdd'),
  statelessResetToken: fromHex('000102030405060708090a0b0c0d0e0f'),
};

const SERVER_PARAMS = createTransportParameters({
  originalDestinationConnectionId: fromHex('8394c8f03e515708'),
  statelessResetToken: fromHex('ffeeddccbbaa99887766554433221100'),
  preferredAddress: PREFERRED,
  initialSourceConnectionId: fromHex('11223344'),
  versionInformation: { chosenVersion: 1, availableVersions: [1, 0x6b3343cf] },
  maxDatagramFrameSize: 65535,
});

test('hand-derived server vector with preferred_address and version_information', () => {
  assert.is(toHex(encodeTransportParameters(SERVER_PARAMS)), SERVER_HEX);
  assert.equal(decodeTransportParameters(fromHex(SERVER_HEX), 'server'), SERVER_PARAMS);
});

test('RFC 9001 A.2: the transport parameters in the sample ClientHello', () => {
  const crypto: string = loadVectors('rfc/rfc9001.json').client_initial.crypto_frame;
  // The quic_transport_parameters extension (type 0x0039) with a 2-byte length.
  const at = crypto.indexOf('0039');
  const length = parseInt(crypto.slice(at + 4, at + 8), 16);
  const body = fromHex(crypto.slice(at + 8, at + 8 + length * 2));
  const p = decodeTransportParameters(body, 'client');
  assert.is(p.initialMaxData, Number.MAX_SAFE_INTEGER, '2^62-1 clamps');
  assert.is(p.initialMaxStreamDataBidiLocal, 65535);
  assert.is(p.initialMaxStreamDataBidiRemote, 65535);
  assert.is(p.initialMaxStreamDataUni, 65535);
  assert.is(p.initialMaxStreamsBidi, 16);
  assert.is(p.initialMaxStreamsUni, 16);
  assert.is(p.maxIdleTimeout, 30000);
  assert.is(toHex(p.initialSourceConnectionId!), '8394c8f03e515708');
  assert.is(p.maxUdpPayloadSize, 65527);
  assert.equal(p.unknown, []);
});

test('absent parameters take the RFC 9000 §18.2 defaults; defaults are not written', () => {
  const p = decodeTransportParameters(new Uint8Array(0), 'client');
  assert.is(p.maxUdpPayloadSize, 65527);
  assert.is(p.ackDelayExponent, 3);
  assert.is(p.maxAckDelay, 25);
  assert.is(p.activeConnectionIdLimit, 2);
  assert.is(p.maxIdleTimeout, 0);
  assert.is(p.disableActiveMigration, false);
  assert.is(p.maxDatagramFrameSize, undefined);
  assert.equal(p, createTransportParameters());
  assert.equal({ ...p, unknown: undefined }, { ...TRANSPORT_PARAMETER_DEFAULTS, unknown: undefined });
  assert.is(encodeTransportParameters(p).length, 0);
});

test('non-minimal varint encodings are accepted', () => {
  const p = decodeTransportParameters(fromHex('0302' + '44b0' + '0a08c000000000000014' + '0b024019'), 'server');
  assert.is(p.maxUdpPayloadSize, 1200);
  assert.is(p.ackDelayExponent, 20);
  assert.is(p.maxAckDelay, 25);
});

test('unknown parameters are kept in order and round-trip', () => {
  const hex = param(0x21, 'abcd') + param(0x7fff, '') + param(0x1234567, '00ff');
  const p = decodeTransportParameters(fromHex(hex), 'client');
  assert.equal(p.unknown.map((u) => [u.id, toHex(u.value)]), [[0x21, 'abcd'], [0x7fff, ''], [0x1234567, '00ff']]);
  assert.is(toHex(encodeTransportParameters(p)), hex);
});

test('reserved ids 31*N+27 are ignored', () => {
  assert.ok(isReservedTransportParameterId(27));
  assert.ok(isReservedTransportParameterId(31 * 1000 + 27));
  assert.ok(isReservedTransportParameterId((1n << 61n) * 31n + 27n));
  assert.not.ok(isReservedTransportParameterId(26));
  assert.not.ok(isReservedTransportParameterId(28));
  const hex = param(27, '') + param(31 * 2 + 27, '0102030405') + varintParam(TransportParameterId.INITIAL_MAX_DATA, 5);
  const p = decodeTransportParameters(fromHex(hex), 'client');
  assert.equal(p.unknown, []);
  assert.is(p.initialMaxData, 5);
});

test('unknown ids above 2^53-1 are ignored rather than misread', () => {
  const id = 'c0ffffffffffffff'; // 2^62-1, a varint id; 2^62-1 is not 27 mod 31
  assert.not.ok(isReservedTransportParameterId((1n << 62n) - 1n));
  const p = decodeTransportParameters(fromHex(id + '0100'), 'client');
  assert.equal(p.unknown, []);
});

test('greaseTransportParameter builds a reserved id that the decoder skips', () => {
  const g = greaseTransportParameter(fromHex('0000000a' + 'deadbeef'));
  assert.is(g.id, 31 * 10 + 27);
  assert.is(toHex(g.value), 'deadbeef');
  const big = greaseTransportParameter(fromHex('ffffffff'));
  assert.is(big.id, 31 * 0xffffffff + 27);
  assert.ok(isReservedTransportParameterId(big.id));
  const bytes = encodeTransportParameters(createTransportParameters({ unknown: [g, big], initialMaxData: 9 }));
  const back = decodeTransportParameters(bytes, 'client');
  assert.equal(back.unknown, []);
  assert.is(back.initialMaxData, 9);
  assert.throws(() => greaseTransportParameter(new Uint8Array(3)), RangeError);
});

// ---------------------------------------------------------------------------------------------
// Validation (RFC 9000 §7.3, §7.4, §18.2; RFC 9221; RFC 9368; RFC 9287)

test('duplicate parameters are rejected, including unknown and reserved ones', () => {
  rejects(varintParam(1, 10) + varintParam(1, 10), 'client', 'known');
  rejects(param(0x21, '') + param(0x21, ''), 'client', 'unknown');
  rejects(param(27, '') + param(27, '00'), 'client', 'reserved');
  rejects(varintParam(4, 1) + param(4, '4001'), 'client', 'same id, different encoding');
});

test('truncated and malformed containers are rejected', () => {
  rejects('40', 'client', 'truncated id');
  rejects('01', 'client', 'missing length');
  rejects('0104', 'client', 'value shorter than its length');
  rejects('010480007530' + '04', 'client', 'second parameter truncated');
});

test('a varint parameter whose length disagrees with its value is rejected', () => {
  rejects('01020500', 'client', 'one-byte varint with length 2');
  rejects('010140', 'client', 'two-byte varint with length 1');
  rejects('0100', 'client', 'empty value');
  rejects('200580000000ff', 'client', 'max_datagram_frame_size with a trailing byte');
  rejects('0e0402000000', 'client', 'active_connection_id_limit with trailing bytes');
});

test('max_udp_payload_size below 1200 is rejected; 1200 is accepted', () => {
  rejects(varintParam(0x03, 1199), 'client', '1199');
  rejects(varintParam(0x03, 0), 'client', '0');
  assert.is(decodeTransportParameters(fromHex(varintParam(0x03, 1200)), 'client').maxUdpPayloadSize, 1200);
});

test('ack_delay_exponent above 20 is rejected', () => {
  rejects(varintParam(0x0a, 21), 'client', '21');
  rejects('0a08ffffffffffffffff', 'client', '2^62-1');
  assert.is(decodeTransportParameters(fromHex(varintParam(0x0a, 20)), 'client').ackDelayExponent, 20);
  assert.is(decodeTransportParameters(fromHex(varintParam(0x0a, 0)), 'client').ackDelayExponent, 0);
});

test('max_ack_delay of 2^14 or more is rejected', () => {
  rejects(varintParam(0x0b, 1 << 14), 'client', '2^14');
  rejects('0b08ffffffffffffffff', 'client', '2^62-1');
  assert.is(decodeTransportParameters(fromHex(varintParam(0x0b, (1 << 14) - 1)), 'client').maxAckDelay, 16383);
});

test('active_connection_id_limit below 2 is rejected', () => {
  rejects(varintParam(0x0e, 1), 'client', '1');
  rejects(varintParam(0x0e, 0), 'client', '0');
  assert.is(decodeTransportParameters(fromHex(varintParam(0x0e, 8)), 'client').activeConnectionIdLimit, 8);
});

test('initial_max_streams above 2^60 is rejected; 2^60 itself is accepted', () => {
  for (const id of [0x08, 0x09]) {
    rejects(param(id, 'd000000000000001'), 'client', `0x0${id} 2^60+1`);
    rejects(param(id, 'ffffffffffffffff'), 'client', `0x0${id} 2^62-1`);
    const p = decodeTransportParameters(fromHex(param(id, 'd000000000000000')), 'client');
    assert.is(id === 0x08 ? p.initialMaxStreamsBidi : p.initialMaxStreamsUni, Number.MAX_SAFE_INTEGER);
  }
});

test('stateless_reset_token must be 16 bytes', () => {
  rejects(param(0x02, '00'.repeat(15)), 'server', '15 bytes');
  rejects(param(0x02, '00'.repeat(17)), 'server', '17 bytes');
  rejects(param(0x02, ''), 'server', 'empty');
});

test('connection IDs longer than 20 bytes are rejected', () => {
  for (const id of [0x00, 0x0f, 0x10]) {
    rejects(param(id, '11'.repeat(21)), 'server', `id ${id}`);
    const p = decodeTransportParameters(fromHex(param(id, '11'.repeat(20))), 'server');
    assert.ok(p.originalDestinationConnectionId ?? p.initialSourceConnectionId ?? p.retrySourceConnectionId);
  }
  const empty = decodeTransportParameters(fromHex(param(0x0f, '')), 'client');
  assert.is(empty.initialSourceConnectionId?.length, 0, 'zero-length CID is allowed');
});

test('a client may not send server-only parameters', () => {
  const cases: Array<[string, string]> = [
    ['original_destination_connection_id', param(0x00, '0102')],
    ['stateless_reset_token', param(0x02, '00'.repeat(16))],
    ['preferred_address', SERVER_HEX.slice(SERVER_HEX.indexOf('0d2d'), SERVER_HEX.indexOf('0d2d') + 4 + 90)],
    ['retry_source_connection_id', param(0x10, '0102')],
  ];
  for (const [name, hex] of cases) {
    rejects(hex, 'client', name);
    decodeTransportParameters(fromHex(hex), 'server');
  }
});

test('preferred_address: zero-length CID, bad lengths, zero-length server CID', () => {
  const good = toHex(new Writer().bytes(PREFERRED.ipv4Address).u16(443).bytes(PREFERRED.ipv6Address).u16(443)
    .vec8(PREFERRED.connectionId).bytes(PREFERRED.statelessResetToken).finish());
  assert.equal(decodeTransportParameters(fromHex(param(0x0d, good)), 'server').preferredAddress, PREFERRED);
  const zeroCid = toHex(new Writer().bytes(PREFERRED.ipv4Address).u16(443).bytes(PREFERRED.ipv6Address).u16(443)
    .vec8(new Uint8Array(0)).bytes(PREFERRED.statelessResetToken).finish());
  rejects(param(0x0d, zeroCid), 'server', 'zero-length CID');
  const longCid = toHex(new Writer().bytes(PREFERRED.ipv4Address).u16(443).bytes(PREFERRED.ipv6Address).u16(443)
    .vec8(new Uint8Array(21)).bytes(PREFERRED.statelessResetToken).finish());
  rejects(param(0x0d, longCid), 'server', '21-byte CID');
  rejects(param(0x0d, good.slice(0, -2)), 'server', 'one byte short');
  rejects(param(0x0d, good + '00'), 'server', 'one trailing byte');
  rejects(param(0x0d, good) + param(0x0f, ''), 'server', 'with a zero-length initial_source_connection_id');
});

test('version_information: zero versions, bad lengths, chosen not available', () => {
  rejects(param(0x11, '00000000'), 'server', 'zero chosen version');
  rejects(param(0x11, '00000000' + '00000001'), 'client', 'zero chosen version (client)');
  rejects(param(0x11, '00000001' + '00000000'), 'server', 'zero available version');
  rejects(param(0x11, ''), 'server', 'empty');
  rejects(param(0x11, '000001'), 'server', '3 bytes');
  rejects(param(0x11, '00000001' + '0000'), 'server', '6 bytes');
  rejects(param(0x11, '00000001' + '6b3343cf'), 'client', 'client chosen version not in available');
  rejects(param(0x11, '00000001'), 'client', 'client with no available versions');
  const server = decodeTransportParameters(fromHex(param(0x11, '00000001')), 'server');
  assert.equal(server.versionInformation, { chosenVersion: 1, availableVersions: [] });
  const client = decodeTransportParameters(fromHex(param(0x11, '6b3343cf' + '6b3343cf' + '00000001')), 'client');
  assert.equal(client.versionInformation, { chosenVersion: 0x6b3343cf, availableVersions: [0x6b3343cf, 1] });
});

test('zero-length flags must be empty', () => {
  rejects(param(0x0c, '00'), 'client', 'disable_active_migration');
  rejects(param(0x2ab2, '01'), 'client', 'grease_quic_bit');
  const p = decodeTransportParameters(fromHex(param(0x0c, '') + param(0x2ab2, '')), 'client');
  assert.ok(p.disableActiveMigration);
  assert.ok(p.greaseQuicBit);
});

test('the encoder refuses values it could not send', () => {
  const bad: Array<Partial<TransportParameters>> = [
    { maxUdpPayloadSize: 1199 },
    { ackDelayExponent: 21 },
    { maxAckDelay: 1 << 14 },
    { activeConnectionIdLimit: 1 },
    { statelessResetToken: new Uint8Array(15) },
    { initialSourceConnectionId: new Uint8Array(21) },
    { preferredAddress: { ...PREFERRED, connectionId: new Uint8Array(0) } },
    { preferredAddress: { ...PREFERRED, ipv4Address: new Uint8Array(5) } },
    { preferredAddress: { ...PREFERRED, ipv6Port: 70000 } },
    { versionInformation: { chosenVersion: 0, availableVersions: [] } },
    { versionInformation: { chosenVersion: 1, availableVersions: [2 ** 32] } },
    { unknown: [{ id: 0x04, value: new Uint8Array(0) }] },
    { unknown: [{ id: 0x99, value: new Uint8Array(0) }, { id: 0x99, value: new Uint8Array(1) }] },
    { initialMaxData: -1 },
    { maxIdleTimeout: 1.5 },
  ];
  for (const b of bad) assert.throws(() => encodeTransportParameters(createTransportParameters(b)), RangeError, JSON.stringify(b));
});

test('errors carry TRANSPORT_PARAMETER_ERROR and a reason', () => {
  try {
    decodeTransportParameters(fromHex(varintParam(0x03, 1000)), 'client');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, TransportError);
    const err = e as TransportError;
    assert.is(err.code, 0x08);
    assert.match(err.reason, 'max_udp_payload_size');
  }
});

// ---------------------------------------------------------------------------------------------
// Connection ID authentication (RFC 9000 §7.3)

test('authenticateConnectionIds: client parameters', () => {
  const scid = fromHex('0a0b');
  authenticateConnectionIds(createTransportParameters({ initialSourceConnectionId: scid }), 'client', { initialSourceConnectionId: scid });
  assert.throws(() => authenticateConnectionIds(createTransportParameters(), 'client', { initialSourceConnectionId: scid }), isParamError);
  assert.throws(
    () => authenticateConnectionIds(createTransportParameters({ initialSourceConnectionId: fromHex('0a0c') }), 'client', { initialSourceConnectionId: scid }),
    (e: unknown) => e instanceof TransportError && e.code === TransportErrorCode.PROTOCOL_VIOLATION,
  );
});

test('authenticateConnectionIds: server parameters with and without Retry', () => {
  const iscid = fromHex('11'); const odcid = fromHex('2222'); const rscid = fromHex('3333');
  const base = { initialSourceConnectionId: iscid, originalDestinationConnectionId: odcid };
  const expected = { initialSourceConnectionId: iscid, originalDestinationConnectionId: odcid };
  authenticateConnectionIds(createTransportParameters(base), 'server', expected);
  authenticateConnectionIds(createTransportParameters({ ...base, retrySourceConnectionId: rscid }), 'server', { ...expected, retrySourceConnectionId: rscid });
  const violation = (e: unknown): boolean => e instanceof TransportError && e.code === TransportErrorCode.PROTOCOL_VIOLATION;
  assert.throws(() => authenticateConnectionIds(createTransportParameters({ initialSourceConnectionId: iscid }), 'server', expected), isParamError);
  assert.throws(() => authenticateConnectionIds(createTransportParameters({ ...base, retrySourceConnectionId: rscid }), 'server', expected), isParamError);
  assert.throws(() => authenticateConnectionIds(createTransportParameters(base), 'server', { ...expected, retrySourceConnectionId: rscid }), isParamError);
  assert.throws(() => authenticateConnectionIds(createTransportParameters({ ...base, retrySourceConnectionId: odcid }), 'server', { ...expected, retrySourceConnectionId: rscid }), violation);
  assert.throws(() => authenticateConnectionIds(createTransportParameters(base), 'server', { ...expected, originalDestinationConnectionId: rscid }), violation);
});

// ---------------------------------------------------------------------------------------------
// Properties

const cid = (min = 0): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: min, maxLength: 20 });
const varint = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const u32 = fc.integer({ min: 1, max: 0xffffffff });
const knownIds = new Set<number>(Object.values(TransportParameterId));
const unknownParam = fc.record({
  id: fc.oneof(fc.integer({ min: 0x12, max: 0x3fff }), fc.integer({ min: 0, max: 2 ** 40 })),
  value: fc.uint8Array({ maxLength: 24 }),
}, { noNullPrototype: true }).filter((u) => !knownIds.has(u.id) && !isReservedTransportParameterId(u.id));

const preferredAddress: fc.Arbitrary<PreferredAddress> = fc.record({
  ipv4Address: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  ipv4Port: fc.integer({ min: 0, max: 0xffff }),
  ipv6Address: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  ipv6Port: fc.integer({ min: 0, max: 0xffff }),
  connectionId: cid(1),
  statelessResetToken: fc.uint8Array({ minLength: 16, maxLength: 16 }),
}, { noNullPrototype: true });

function paramsArbitrary(sentBy: 'client' | 'server'): fc.Arbitrary<TransportParameters> {
  const server = sentBy === 'server';
  return fc.record({
    originalDestinationConnectionId: server ? cid() : fc.constant(undefined),
    maxIdleTimeout: varint,
    statelessResetToken: server ? fc.uint8Array({ minLength: 16, maxLength: 16 }) : fc.constant(undefined),
    maxUdpPayloadSize: fc.integer({ min: 1200, max: Number.MAX_SAFE_INTEGER }),
    initialMaxData: varint,
    initialMaxStreamDataBidiLocal: varint,
    initialMaxStreamDataBidiRemote: varint,
    initialMaxStreamDataUni: varint,
    initialMaxStreamsBidi: varint,
    initialMaxStreamsUni: varint,
    ackDelayExponent: fc.integer({ min: 0, max: 20 }),
    maxAckDelay: fc.integer({ min: 0, max: (1 << 14) - 1 }),
    disableActiveMigration: fc.boolean(),
    preferredAddress: server ? preferredAddress : fc.constant(undefined),
    activeConnectionIdLimit: fc.integer({ min: 2, max: Number.MAX_SAFE_INTEGER }),
    initialSourceConnectionId: cid(),
    retrySourceConnectionId: server ? cid() : fc.constant(undefined),
    maxDatagramFrameSize: varint,
    versionInformation: fc.record({ chosenVersion: u32, availableVersions: fc.array(u32, { maxLength: 4 }) }, { noNullPrototype: true })
      .map((vi) => (server || vi.availableVersions.includes(vi.chosenVersion) ? vi : { ...vi, availableVersions: [...vi.availableVersions, vi.chosenVersion] })),
    greaseQuicBit: fc.boolean(),
    unknown: fc.uniqueArray(unknownParam, { maxLength: 4, selector: (u) => u.id }),
  }, {
    noNullPrototype: true,
    requiredKeys: [
      'maxIdleTimeout', 'maxUdpPayloadSize', 'initialMaxData', 'initialMaxStreamDataBidiLocal', 'initialMaxStreamDataBidiRemote',
      'initialMaxStreamDataUni', 'initialMaxStreamsBidi', 'initialMaxStreamsUni', 'ackDelayExponent', 'maxAckDelay',
      'disableActiveMigration', 'activeConnectionIdLimit', 'greaseQuicBit', 'unknown',
    ],
  }).map((raw) => {
    const p = { ...raw } as Record<string, unknown>;
    for (const [k, v] of Object.entries(p)) if (v === undefined) delete p[k];
    const out = p as unknown as TransportParameters;
    // RFC 9000 §18.2: no preferred address with a zero-length server connection ID.
    if (out.preferredAddress !== undefined && out.initialSourceConnectionId?.length === 0) delete out.preferredAddress;
    return out;
  });
}

for (const sentBy of ['client', 'server'] as const) {
  test(`property: ${sentBy} parameters round-trip through encode/decode`, () => {
    fc.assert(
      fc.property(paramsArbitrary(sentBy), (p) => {
        const bytes = encodeTransportParameters(p);
        const back = decodeTransportParameters(bytes, sentBy);
        assert.equal(back, p);
        assert.is(toHex(encodeTransportParameters(back)), toHex(bytes));
      }),
      { numRuns: 500 },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Fuzz: only TransportError(TRANSPORT_PARAMETER_ERROR) may escape the decoder

function decodeOrParamError(bytes: Uint8Array, sentBy: 'client' | 'server'): void {
  try {
    decodeTransportParameters(bytes, sentBy);
  } catch (e) {
    if (!isParamError(e)) throw e;
  }
}

test('fuzz: random bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom('client', 'server'), (bytes, sentBy) => {
      decodeOrParamError(bytes, sentBy as 'client' | 'server');
    }),
    { numRuns: 3000 },
  );
});

test('fuzz: random sequences of well-framed parameters with random values', () => {
  const framed = fc.array(
    fc.record({ id: fc.oneof(fc.integer({ min: 0, max: 0x22 }), fc.constant(0x2ab2)), value: fc.uint8Array({ maxLength: 50 }) }),
    { maxLength: 8 },
  );
  fc.assert(
    fc.property(framed, fc.constantFrom('client', 'server'), (params, sentBy) => {
      const w = new Writer();
      for (const { id, value } of params) w.varint(id).varint(value.length).bytes(value);
      decodeOrParamError(w.finish(), sentBy as 'client' | 'server');
    }),
    { numRuns: 3000 },
  );
});

test('fuzz: every truncation of the vectors', () => {
  for (const [hex, sentBy] of [[CLIENT_HEX, 'client'], [SERVER_HEX, 'server']] as const) {
    const bytes = fromHex(hex);
    for (let n = 0; n < bytes.length; n++) decodeOrParamError(bytes.subarray(0, n), sentBy);
  }
});

test('fuzz: every truncation and bit flip of random valid encodings', () => {
  fc.assert(
    fc.property(paramsArbitrary('server'), fc.nat(), (p, flip) => {
      const bytes = encodeTransportParameters(p);
      for (let n = 0; n < bytes.length; n++) decodeOrParamError(bytes.subarray(0, n), 'server');
      if (bytes.length > 0) {
        const flipped = bytes.slice();
        flipped[flip % bytes.length]! ^= 1 << (flip % 8);
        decodeOrParamError(flipped, 'server');
        decodeOrParamError(flipped, 'client');
      }
    }),
    { numRuns: 200 },
  );
});

test.run();
