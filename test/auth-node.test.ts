// Findings 1, 2 and 4 of issue #12 on whole nodes (kernel + cells + loopback transport), each
// node with its own ed25519 key as `cell run` has: a fake replica, forged replies, a replay
// cache another caller evicts or pre-fills. Each test failed on main (ab75c6c).
import test from 'ava';
import { CellNode } from '../host/runtime/cell-node.ts';
import { LoopbackHub, type LoopbackTransport } from '../host/transport/loopback-transport.ts';
import { connect } from '../host/sdk/connect.ts';
import { newIdentity, type NodeIdentity } from '../host/identity/node-identity.ts';
import { encodeCall } from '../host/sdk/call-codec.ts';
import { encodeCbor } from '../host/wire/cbor.ts';
import { encodeFrame, HEADER_BYTES } from '../host/wire/header.ts';
import { MsgType } from '../host/wire/protocol-table.ts';
import { Exchange } from '../build/cells/exchange.client.ts';
import { Kv } from '../build/cells/kv.client.ts';
import { kernelWasm, cellWasm } from './fixtures/built.ts';
import { waitUntil } from './fixtures/wait-until.ts';

const FAST = { announceIntervalMs: 50, probeIntervalMs: 0, callTimeoutMs: 20000 };

async function keyed(hub: LoopbackHub, config = {}, cells: string[] = []): Promise<{ node: CellNode; id: NodeIdentity; port: LoopbackTransport }> {
  const id = await newIdentity();
  const port = hub.attach(id.nodeId);
  const node = await CellNode.create({ nodeId: id.nodeId, identity: id, kernelWasm: kernelWasm(), transports: [port], config: { ...FAST, ...config } });
  for (const c of cells) await node.host(cellWasm(c));
  return { node, id, port };
}

/** Sees every frame `port` receives before its node does; `drop` may swallow one. */
function tap(port: LoopbackTransport, seen: (f: Uint8Array) => boolean | void): void {
  const receive = port.receive.bind(port);
  port.receive = (f: Uint8Array) => {
    if (seen(f) !== false) receive(f);
  };
}

const knows = (node: CellNode, peer: number, species: number) => () => node.kernel.peers().some((r) => r.nodeId === peer && r.species.includes(species));

test.serial('finding 1: a fake node announcing every species 50 times a second (and a negative load) gets none of 20 calls', async (t) => {
  const hub = new LoopbackHub();
  const server = await keyed(hub, {}, ['exchange']);
  const client = await keyed(hub);
  // The attacker: a node with no key (bare frames, as any stranger can send), hosting the species.
  const fakeId = 0x0badf00d;
  const fakePort = hub.attach(fakeId);
  const fake = await CellNode.create({ nodeId: fakeId, kernelWasm: kernelWasm(), transports: [fakePort], config: { ...FAST, announceIntervalMs: 20 } });
  await fake.host(cellWasm('exchange'));
  // And its announcements again with load -1, which won every routing tie on main.
  let negative: Uint8Array | undefined;
  tap(client.port, (f) => {
    if (f[2] === MsgType.ANNOUNCE && new DataView(f.buffer, f.byteOffset).getUint32(4, true) === fakeId && !negative) {
      negative = f.slice();
      new DataView(negative.buffer).setFloat64(HEADER_BYTES + 8, -1, false);
    }
  });
  const flood = setInterval(() => negative && client.port.receive(negative), 20);
  try {
    await waitUntil(knows(client.node, server.id.nodeId, Exchange.speciesId), 'the client to take the server\'s announcement');
    await new Promise((r) => setTimeout(r, 300));
    const ex = await connect(Exchange, { node: client.node });
    for (let i = 0; i < 20; i++) await ex.place_order('BTC', i + 1);
    t.is(fake.kernel.stat('callsServed'), 0);
    t.is(server.node.kernel.stat('callsServed'), 20);
    t.false(client.node.kernel.peers().some((r) => r.nodeId === fakeId));
    t.true(client.node.kernel.stat('authRequired') > 0);
  } finally {
    clearInterval(flood);
    await Promise.all([server.node.close(), client.node.close(), fake.close()]);
  }
});

test.serial('finding 2: a --peer client takes the answer only from the node it called: forged REPLYs from another id, or bare ones under the server\'s id, are not accepted', async (t) => {
  const hub = new LoopbackHub();
  const server = await keyed(hub, {}, ['kv']);
  const client = await keyed(hub, { defaultRoute: 1, announceIntervalMs: 0 });
  try {
    const kv = await connect(Kv, { node: server.node, dst: server.id.nodeId });
    await kv.put('balance', '100');
    const dst = await client.node.handshake(0);
    t.is(dst, server.id.nodeId);
    const reader = await connect(Kv, { node: client.node, dst });
    const answer = reader.get('balance');
    // A fresh kernel's first seq is 1: forge that answer, from an unseen id and under the server's id.
    const forged = encodeCbor('1000000');
    for (const src of [0x0badf00d, server.id.nodeId]) {
      for (const type of [MsgType.REPLY, MsgType.ERROR]) {
        client.port.receive(encodeFrame({ type, flags: 0, src, dst: client.id.nodeId, species: Kv.speciesId, seq: 1 }, forged));
      }
    }
    t.is(await answer, '100');
    t.is(client.node.kernel.stat('authRequired'), 4);
  } finally {
    await Promise.all([server.node.close(), client.node.close()]);
  }
});

test.serial('finding 4: a retransmission still finds its answer after another caller made 60 calls, and nobody can pre-fill a caller\'s next (src, seq)', async (t) => {
  const hub = new LoopbackHub();
  // Fair CPU off: it charges cells' wall-clock time, and on a loaded machine the other caller's 60
  // back-to-back calls can read as over its share and be shed, which is not what this test is about.
  const server = await keyed(hub, { cpuBudget: 0 }, ['exchange']);
  const victim = await keyed(hub, { callTimeoutMs: 6000 });
  const other = await keyed(hub);
  try {
    await waitUntil(knows(victim.node, server.id.nodeId, Exchange.speciesId), 'the victim to know the server');
    await waitUntil(knows(other.node, server.id.nodeId, Exchange.speciesId), 'the other caller to know the server');
    const ex = await connect(Exchange, { node: victim.node });
    const theirs = await connect(Exchange, { node: other.node });
    // Warm the session, then lose the victim's next answer so its kernel retransmits the call.
    await ex.place_order('WARM', 1);
    let lost = false;
    tap(victim.port, (f) => {
      if (!lost && f[2] === MsgType.REPLY) return (lost = true) && false;
    });
    const pending = ex.place_order('BTC', 2);
    await waitUntil(() => lost, 'the first answer to be lost');
    for (let i = 0; i < 60; i++) await theirs.place_order('ETH', 1);
    const id = await pending;
    t.is(typeof id, 'bigint');
    t.is(server.node.kernel.stat('duplicateCalls'), 1);
    t.is(server.node.kernel.stat('callsServed'), 62, 'WARM + BTC + 60 others: BTC ran once');
    // Pre-fill: the victim's next seq (3) with another order, sent under the victim's id.
    const prefill = encodeFrame({ type: MsgType.CALL, flags: 0, src: victim.id.nodeId, dst: server.id.nodeId, species: Exchange.speciesId, seq: 3 }, encodeCall(Exchange.schema, 'place_order', ['EVIL', 9]));
    server.port.receive(prefill);
    await new Promise((r) => setTimeout(r, 100));
    // To the server by id: after the lost answer, routing holds it back for failHoldMs.
    const direct = await connect(Exchange, { node: victim.node, dst: server.id.nodeId });
    const mine = await direct.place_order('SOL', 7);
    t.deepEqual(await direct.book('SOL'), [{ id: mine, symbol: 'SOL', amount: 7n }]);
    t.deepEqual(await direct.book('EVIL'), []);
  } finally {
    await Promise.all([server.node.close(), victim.node.close(), other.node.close()]);
  }
});

test.serial('serve list: a stranger with a valid key of its own announcing the species gets none of 20 calls from a client that lists the real server\'s key; a client that lists the stranger\'s key sends all 20 to it', async (t) => {
  const hub = new LoopbackHub();
  const server = await keyed(hub, {}, ['exchange']);
  const stranger = await keyed(hub, {}, ['exchange']);
  const trusting = await keyed(hub);
  const other = await keyed(hub);
  trusting.node.kernel.setServe([{ publicKey: server.id.publicKey, species: Exchange.speciesId }]);
  other.node.kernel.setServe([{ publicKey: stranger.id.publicKey, species: 0 }]);
  try {
    await waitUntil(knows(trusting.node, server.id.nodeId, Exchange.speciesId), 'the client to take the server\'s announcement');
    await waitUntil(knows(other.node, stranger.id.nodeId, Exchange.speciesId), 'the other client to take the stranger\'s announcement');
    await waitUntil(() => trusting.node.kernel.stat('untrustedServers') > 0 && other.node.kernel.stat('untrustedServers') > 0, 'both clients to ignore an announcement');
    t.false(knows(trusting.node, stranger.id.nodeId, Exchange.speciesId)(), 'the stranger is a peer, but not a replica');
    t.false(knows(other.node, server.id.nodeId, Exchange.speciesId)());
    const ex = await connect(Exchange, { node: trusting.node });
    for (let i = 0; i < 20; i++) await ex.place_order('BTC', i + 1);
    t.is(stranger.node.kernel.stat('callsServed'), 0);
    t.is(server.node.kernel.stat('callsServed'), 20);
    t.deepEqual(trusting.node.kernel.tables().serve, { rows: 1, cap: 32, givenUp: 0 });
    // A row for species 0 names every species: the other client routes only to the stranger's key.
    const theirs = await connect(Exchange, { node: other.node });
    for (let i = 0; i < 20; i++) await theirs.place_order('ETH', i + 1);
    t.is(stranger.node.kernel.stat('callsServed'), 20);
    t.is(server.node.kernel.stat('callsServed'), 20);
  } finally {
    await Promise.all([server.node.close(), stranger.node.close(), trusting.node.close(), other.node.close()]);
  }
});
