import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  encodeH3Frame, H3Error, H3ErrorCode, type H3Event, H3MessageReceiver, H3PushState, QpackDecoder, QpackEncoder,
} from '@quicts/h3';
import { RequestStreamReader } from '../../src/streams/request-stream.ts';

const f = (...pairs: [string, string][]): { name: string; value: string }[] => pairs.map(([name, value]) => ({ name, value }));
const GET = f([':method', 'GET'], [':scheme', 'https'], [':authority', 'a'], [':path', '/'], ['user-agent', 'request-stream-test']);
const join = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

function setup(): { enc: QpackEncoder; dec: QpackDecoder; reader: RequestStreamReader } {
  const enc = new QpackEncoder();
  enc.setPeerSettings({ maxTableCapacity: 4096, maxBlockedStreams: 10 });
  const dec = new QpackDecoder({ maxTableCapacity: 4096, maxBlockedStreams: 10 });
  const reader = new RequestStreamReader({
    streamId: 0, pushId: undefined, receiver: new H3MessageReceiver('request'), asServer: true, maxFieldSectionFrame: 4096,
    maxFieldSectionSize: 65536, decoder: dec, push: new H3PushState(),
  });
  return { enc, dec, reader };
}

const summary = (events: H3Event[]): string[] => events.map((e) => (e.kind === 'data' ? `data:${new TextDecoder().decode(e.data)}:${e.endStream}` : `${e.kind}:${'endStream' in e ? e.endStream : ''}`));

test('DATA queued behind a blocked section keeps its bytes when the input buffer is reused', () => {
  const { enc, dec, reader } = setup();
  const { fieldSection, encoderStream } = enc.encode(0, GET);
  assert.ok(encoderStream.length > 0, 'the section references new inserts');
  const input = join(encodeH3Frame({ kind: 'headers', fieldSection }), encodeH3Frame({ kind: 'data', data: new TextEncoder().encode('body') }));
  reader.push(input, true);
  assert.ok(reader.isBlocked);
  assert.equal(reader.takeEvents(), []);
  input.fill(0x78); // the transport reuses its buffer
  const sections = dec.readEncoderStream(encoderStream);
  assert.is(sections.length, 1);
  reader.unblocked(sections[0]!.fields);
  assert.equal(summary(reader.takeEvents()), ['headers:false', 'data:body:true']);
  assert.ok(reader.ended);
});

test('one byte at a time, the events are the same', () => {
  const { enc, dec, reader } = setup();
  const { fieldSection, encoderStream } = enc.encode(0, GET);
  dec.readEncoderStream(encoderStream);
  const input = join(encodeH3Frame({ kind: 'headers', fieldSection }), encodeH3Frame({ kind: 'data', data: new TextEncoder().encode('xy') }), encodeH3Frame({ kind: 'headers', fieldSection: enc.encode(0, f(['x-trailer', '1'])).fieldSection }));
  const events: H3Event[] = [];
  for (let i = 0; i < input.length; i++) {
    reader.push(input.subarray(i, i + 1), i === input.length - 1);
    events.push(...reader.takeEvents());
  }
  assert.equal(summary(events), ['headers:false', 'data:x:false', 'data:y:false', 'trailers:true']);
});

test('events produced before an error stay available', () => {
  const { enc, dec, reader } = setup();
  const encoded = enc.encode(0, [...GET.slice(0, 4), ...f(['content-length', '1'])]);
  dec.readEncoderStream(encoded.encoderStream);
  const head = encoded.fieldSection;
  const input = join(encodeH3Frame({ kind: 'headers', fieldSection: head }), encodeH3Frame({ kind: 'data', data: Uint8Array.of(1, 2) }));
  assert.throws(() => reader.push(input, false), (e: unknown) => e instanceof H3Error && e.code === H3ErrorCode.H3_MESSAGE_ERROR);
  assert.equal(summary(reader.takeEvents()), ['headers:false']);
});

test('stop() ends reading: later input is ignored', () => {
  const { reader } = setup();
  reader.stop();
  reader.push(Uint8Array.of(0x00, 0x01, 0x00), true);
  assert.equal(reader.takeEvents(), []);
  assert.ok(reader.ended);
});

test.run();
