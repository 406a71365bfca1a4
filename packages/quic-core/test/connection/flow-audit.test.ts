import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionInvariantError, FlowControlAudit, createTransportParameters } from '@quicts/quic-core';

const isInvariant = (e: unknown): boolean => e instanceof ConnectionInvariantError;

function audit() {
  const a = new FlowControlAudit('client');
  a.onPeerParams(createTransportParameters({
    initialMaxData: 1000, initialMaxStreamDataBidiRemote: 400, initialMaxStreamDataBidiLocal: 300, initialMaxStreamDataUni: 200,
  }));
  return a;
}

test('frames within the stream and connection limits pass', () => {
  const a = audit();
  a.onStreamFrameSent(0, 0, 400); // client bidi: bidi_remote applies
  a.onStreamFrameSent(2, 0, 200); // client uni
  a.onStreamFrameSent(1, 0, 300); // server bidi: bidi_local applies
  a.onStreamFrameSent(0, 100, 300); // a retransmission adds nothing to the connection total
  assert.is(a.framesChecked, 4);
});

test('a STREAM frame beyond the stream limit throws', () => {
  const a = audit();
  assert.throws(() => a.onStreamFrameSent(0, 0, 401), isInvariant);
  assert.throws(() => audit().onStreamFrameSent(1, 250, 51), isInvariant);
});

test('MAX_STREAM_DATA raises a stream limit, smaller values do not lower it', () => {
  const a = audit();
  a.onMaxStreamData(0, 600);
  a.onMaxStreamData(0, 500);
  a.onStreamFrameSent(0, 0, 600);
  assert.throws(() => a.onStreamFrameSent(0, 600, 1), isInvariant);
});

test('the sum over streams is held to MAX_DATA', () => {
  const a = audit();
  a.onMaxStreamData(0, 2000);
  a.onMaxStreamData(4, 2000);
  a.onStreamFrameSent(0, 0, 600);
  assert.throws(() => a.onStreamFrameSent(4, 0, 401), isInvariant);
  const b = audit();
  b.onMaxData(1500);
  b.onMaxStreamData(0, 2000);
  b.onStreamFrameSent(0, 0, 1500);
});

test('nothing may be sent before the peer\'s parameters are known', () => {
  assert.throws(() => new FlowControlAudit('server').onStreamFrameSent(1, 0, 1), isInvariant);
});

test.run();
