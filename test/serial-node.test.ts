// A node served over a serial line, as a board would be: `cell run --serial` on one end of a real
// pty pair, a client node with a SerialTransport on the other, calls through both kernels.
import test from 'ava';
import { startCell } from '../bench/node-process.ts';
import { openPtyPair } from '../bench/pty-pair.ts';
import { SerialTransport } from '../host/transport/serial-transport.ts';
import { CellNode } from '../host/runtime/cell-node.ts';
import { connect } from '../host/sdk/connect.ts';
import { Exchange } from '../build/cells/exchange.client.ts';
import { kernelWasm } from './fixtures/built.ts';
import { newIdentity } from '../host/identity/node-identity.ts';


test('cell run --serial serves calls over a real pty', async (t) => {
  const pty = await openPtyPair();
  const { proc: server } = await startCell(['run', 'build/cells/exchange.wasm', '--port', '0', '--ephemeral', '--no-multicast', '--serial', pty.a, '--baud', '921600']);
  let client: CellNode | undefined;
  try {
    const serial = await SerialTransport.open({ path: pty.b, baudRate: 921600 });
    // A serial link is point to point: the far end is the default route.
    // The node accepts only authenticated frames: a session over the line first, then calls to that node.
    const identity = await newIdentity();
    client = await CellNode.create({ nodeId: identity.nodeId, identity, kernelWasm: kernelWasm(), transports: [serial], config: { defaultRoute: 1, announceIntervalMs: 0, probeIntervalMs: 0, callTimeoutMs: 2000 } });
    const dst = await client.handshake(0, 10_000);
    const ex = await connect(Exchange, { node: client, dst });
    const id = await ex.place_order('BTC', 5);
    t.deepEqual(await ex.book('BTC'), [{ id, symbol: 'BTC', amount: 5n }]);
    t.is(serial.stats.dropped, 0);
  } finally {
    await client?.close();
    server.kill('SIGKILL');
    await pty.close();
  }
});
