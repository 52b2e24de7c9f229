// A node's edges, in process (issue 12): a frame goes out only on the transport that reaches its
// destination (finding 10: a UDP client's reply appeared on the serial line), cells' log() lines
// reach the operator with the cell's name, and the node reports its counters and caps.
import test from 'ava';
import { CellNode, ROUTE_CAP } from '../host/runtime/cell-node.ts';
import { LoopbackHub } from '../host/transport/loopback-transport.ts';
import type { Transport } from '../host/transport/transport.ts';
import { connect, CellCallError } from '../host/sdk/connect.ts';
import { Echo, type EchoApi } from '../build/cells/echo.client.ts';
import { MsgType, BROADCAST } from '../host/wire/header.ts';
import { kernelWasm, cellWasm } from './fixtures/built.ts';
import { waitUntil } from './fixtures/wait-until.ts';

const FAST = { announceIntervalMs: 20, probeIntervalMs: 0, callTimeoutMs: 20000 };

/** A transport that records the type and dst of every frame sent through it. */
function recording(inner: Transport): Transport & { sent: Array<{ type: number; dst: number }> } {
  const sent: Array<{ type: number; dst: number }> = [];
  return {
    name: inner.name,
    sent,
    send(frame) {
      sent.push({ type: frame[2]!, dst: Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).readUInt32LE(8) });
      inner.send(frame);
    },
    onFrame: (h) => inner.onFrame(h),
    get stats() {
      return inner.stats;
    },
    close: () => inner.close(),
  };
}

async function twoTransportServer() {
  const lan = new LoopbackHub(); // stands for UDP
  const line = new LoopbackHub(); // stands for a serial line
  const SERVER = 0x5e5e5e5e;
  const onLan = recording(lan.attach(SERVER));
  const onLine = recording(line.attach(SERVER));
  const logs: Array<{ cell: string; level: number; text: string }> = [];
  const server = await CellNode.create({
    nodeId: SERVER, kernelWasm: kernelWasm(), transports: [onLan, onLine], config: FAST,
    cellLog: (cell, level, text) => logs.push({ cell, level, text }),
  });
  await server.host(cellWasm('echo'));
  const client = await CellNode.create({ nodeId: 0xc1c1c1c1, kernelWasm: kernelWasm(), transports: [lan.attach(0xc1c1c1c1)], config: FAST });
  const board = await CellNode.create({ nodeId: 0xb0b0b0b0, kernelWasm: kernelWasm(), transports: [line.attach(0xb0b0b0b0)], config: FAST });
  return { server, client, board, onLan, onLine, logs, close: () => Promise.all([server.close(), client.close(), board.close()]) };
}

test.serial('issue 12 finding 10: a reply to a client on one transport goes out on that transport only; broadcasts go everywhere', async (t) => {
  const n = await twoTransportServer();
  try {
    await waitUntil(() => n.client.kernel.stat('announcesRx') >= 1 && n.board.kernel.stat('announcesRx') >= 1, 'announcements on both transports');
    const echo = await connect(Echo, { node: n.client });
    t.is(await echo.echo('over the lan'), 'over the lan');
    const fromBoard = await connect(Echo, { node: n.board });
    t.is(await fromBoard.echo('over the line'), 'over the line');
    const replies = (tr: typeof n.onLan) => tr.sent.filter((f) => f.type === MsgType.REPLY).map((f) => f.dst);
    t.deepEqual(replies(n.onLan), [0xc1c1c1c1], 'the LAN client\'s reply went out on the LAN only');
    t.deepEqual(replies(n.onLine), [0xb0b0b0b0], 'the board\'s reply went out on the line only');
    t.true(n.onLan.sent.some((f) => f.dst === BROADCAST) && n.onLine.sent.some((f) => f.dst === BROADCAST), 'announcements go out on both');
    const s = n.server.stats();
    t.like(s.routes, { size: 2, cap: ROUTE_CAP, evictions: 0 });
    t.true(s.routes.routedOut >= 2);
  } finally {
    await n.close();
  }
});

/** A two-transport server whose LAN client has heard it, for `body` to call through `echo`. */
async function withLanClient(body: (n: Awaited<ReturnType<typeof twoTransportServer>>, echo: Awaited<ReturnType<typeof connect<EchoApi>>>) => Promise<void>): Promise<void> {
  const n = await twoTransportServer();
  try {
    await waitUntil(() => n.client.kernel.stat('announcesRx') >= 1, 'an announcement');
    await body(n, await connect(Echo, { node: n.client }));
  } finally {
    await n.close();
  }
}

test.serial('issue 12 finding 10: a cell\'s log() lines reach the node\'s cellLog with the cell\'s name', (t) =>
  withLanClient(async (n, echo) => {
    await t.throwsAsync(echo.refuse('no thanks'), { instanceOf: CellCallError });
    t.deepEqual(n.logs.map((l) => [l.cell, l.text]), [['echo', 'refusing: no thanks']]);
  }));

test.serial('node stats carry every kernel counter, the cells\' and each transport\'s own', (t) =>
  withLanClient(async (n, echo) => {
    await echo.add(1, 2);
    const s = n.server.stats();
    t.is(s.nodeId, 0x5e5e5e5e);
    t.is(s.kernel.callsServed, 1);
    t.true('dropBadHeader' in s.kernel && 'peerTableFull' in s.kernel);
    t.like(s.cells[0], { name: 'echo', calls: 1, traps: 0 });
    t.deepEqual(s.transports.map((x) => x.name), ['loopback', 'loopback']);
    t.true(JSON.parse(JSON.stringify(s)).kernel.framesRx >= 1, 'serialisable as JSON');
  }));
