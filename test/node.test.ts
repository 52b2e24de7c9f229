// Whole nodes on an in-process loopback: kernel + hosted cells + transport, end to end through
// the typed client. Discovery is by the kernels' own pheromones (ANNOUNCE frames).
import test from 'ava';
import { CellNode } from '../host/runtime/cell-node.ts';
import { LoopbackHub } from '../host/transport/loopback-transport.ts';
import { connect, CellCallError } from '../host/sdk/connect.ts';
import { speciesIdOf, type CellSpecies } from '../host/sdk/species.ts';
import type { CellSchema } from '../host/sdk/schema.ts';
import { Exchange } from '../build/cells/exchange.client.ts';
import { kernelWasm, cellWasm, buildFixtureCell } from './fixtures/built.ts';
import type { BuiltCell } from '../host/build/build-cell.ts';
import { readFile } from 'node:fs/promises';
import { encodeCall } from '../host/sdk/call-codec.ts';
import { ErrorCode } from '../host/wire/error-codes.ts';
import { waitUntil } from './fixtures/wait-until.ts';
import { SpawnHost } from '../host/runtime/spawn-host.ts';
import { TrustStore } from '../host/spore/trust.ts';

// Generous call timeout: these tests are about answers, and a loaded CI machine must not turn
// a slow answer into a TIMEOUT.
const FAST = { announceIntervalMs: 20, probeIntervalMs: 0, callTimeoutMs: 20000 };

// Building fixture cells blocks the event loop for seconds (binaryen); do it before any node runs.
const fixtures: Record<string, BuiltCell> = {};
test.before(async () => {
  for (const name of ['misbehave', 'users-v1', 'users-v2']) fixtures[name] = await buildFixtureCell(name, `node-test-${name}`);
});

async function pair(hostCells: Uint8Array[]) {
  const hub = new LoopbackHub();
  const server = await CellNode.create({ nodeId: 0x5e5e5e5e, kernelWasm: kernelWasm(), transports: [hub.attach(0x5e5e5e5e)], config: FAST });
  for (const c of hostCells) await server.host(c);
  const client = await CellNode.create({ nodeId: 0xc1c1c1c1, kernelWasm: kernelWasm(), transports: [hub.attach(0xc1c1c1c1)], config: FAST });
  return { hub, server, client, close: () => Promise.all([server.close(), client.close()]) };
}

/** Waits until the client's kernel has heard the server's pheromone. */
async function discovered(node: CellNode): Promise<void> {
  await heard(node, 1);
}

/** Waits (up to 30 s, for loaded CI machines) until `node` has heard `n` announcements. */
async function heard(node: CellNode, n: number): Promise<void> {
  await waitUntil(() => node.kernel.stat('announcesRx') >= n, `${n} announcements`);
}

test.serial('exchange answers place_order, book and cancel through the kernel and the typed client', async (t) => {
  const p = await pair([cellWasm('exchange')]);
  try {
    await discovered(p.client);
    const ex = await connect(Exchange, { node: p.client });
    const id = await ex.place_order('BTC', 5);
    t.is(typeof id, 'bigint');
    const id2 = await ex.place_order('ETH', 7n);
    t.not(id, id2);
    t.deepEqual(await ex.book('BTC'), [{ id, symbol: 'BTC', amount: 5n }]);
    t.true(await ex.cancel(id));
    t.false(await ex.cancel(id));
    t.deepEqual(await ex.book('BTC'), []);
    const err = await t.throwsAsync(ex.place_order('', 1), { instanceOf: CellCallError });
    t.is(err?.code, ErrorCode.CELL_ERROR);
    t.is(p.server.kernel.stat('callsServed') + p.server.kernel.stat('callErrors'), 7);
  } finally {
    await p.close();
  }
});

test.serial('kv and echo serve side by side on one node; kv reports full clearly', async (t) => {
  const p = await pair([cellWasm('kv'), cellWasm('echo')]);
  try {
    await discovered(p.client);
    const kvSchema = JSON.parse(await readFile('build/cells/kv.schema.json', 'utf8')).schema;
    const echoSchema = JSON.parse(await readFile('build/cells/echo.schema.json', 'utf8')).schema;
    const species = <A>(s: CellSchema) => ({ name: s.name, speciesId: speciesIdOf(s), schema: s }) as CellSpecies<A>;
    const echo = await connect(species<{ echo(s: string): Promise<string> }>(echoSchema), { node: p.client });
    t.is(await echo.echo('héllo, cell'), 'héllo, cell');
    const kv = await connect(species<Record<string, (...a: unknown[]) => Promise<unknown>>>(kvSchema), { node: p.client });
    const put = kvSchema.methods.find((m: { name: string }) => m.name === 'put');
    const valueIsBytes = put.params[1].type === 'bytes';
    const value = (i: number) => (valueIsBytes ? new TextEncoder().encode(`v${i}`) : `v${i}`);
    await kv.put!('a', value(1));
    t.deepEqual(await kv.get!('a'), value(1));
    let full: CellCallError | undefined;
    for (let i = 0; i < 1000 && !full; i++) {
      try {
        await kv.put!(`k${i}`, value(i));
      } catch (e) {
        full = e as CellCallError;
      }
    }
    t.truthy(full, 'the store fills up');
    t.is(full?.code, ErrorCode.CELL_ERROR);
    t.regex(full!.message, /full/);
    t.is(await echo.echo('still here'), 'still here');
  } finally {
    await p.close();
  }
});

test.serial('a host hands its cells\' metered CPU share to the kernel, and its pheromones carry it', async (t) => {
  const hub = new LoopbackHub();
  // A long window, so the share does not depend on how fast this machine runs the calls. The
  // server trusts an authority, so it has room for others' replicas: its spare is 1 - share.
  const spawns = new SpawnHost({ trust: new TrustStore({ authorities: [new Uint8Array(32).fill(7)] }), cache: null });
  const server = await CellNode.create({
    nodeId: 0x5e5e5e5e, kernelWasm: kernelWasm(), transports: [hub.attach(0x5e5e5e5e)], config: FAST, capacity: 2e9, meterWindowMs: 600_000, spawns,
  });
  const client = await CellNode.create({ nodeId: 0xc1c1c1c1, kernelWasm: kernelWasm(), transports: [hub.attach(0xc1c1c1c1)], config: FAST });
  try {
    const echo = await server.host(cellWasm('echo'));
    await discovered(client);
    const payload = encodeCall(echo.schema, 'echo', ['x'.repeat(60)]);
    for (let i = 0; i < 50; i++) t.is((await client.call(echo.speciesId, payload)).kind, 'reply');
    const work = echo.instance.stats.fuelTotal;
    t.true(work > 0);
    // A second on, the calls' busy time (metered instructions / capacity, about 1 ms) is all in the
    // past: the share is that busy time over the window, as a simulated node counts it.
    const share = server.reportLoad(server.now() + 1000);
    t.true(Math.abs(share - work / 2e9 / 600) < 1e-12, `${share} vs ${work / 2e9 / 600}`);
    await heard(client, client.kernel.stat('announcesRx') + 3);
    const seen = client.kernel.peers().find((p) => p.nodeId === 0x5e5e5e5e);
    t.is(seen?.load, share);
    t.is(seen?.spare, 1 - share);
    // The client cannot start a replica (no SpawnHost): it announces no spare, so no division round picks it.
    await heard(server, server.kernel.stat('announcesRx') + 2);
    t.is(server.kernel.peers().find((p) => p.nodeId === 0xc1c1c1c1)?.spare, 0);
  } finally {
    await Promise.all([server.close(), client.close()]);
  }
});

test.serial('a call to a species nobody hosts gets an UNKNOWN_SPECIES error, not silence', async (t) => {
  const p = await pair([cellWasm('echo')]);
  try {
    await discovered(p.client);
    p.client.kernel.configure('defaultRoute', 1);
    const answer = await p.client.call(0x0badf00d, new Uint8Array([0x81, 0x00]));
    t.is(answer.kind, 'error');
    t.is(answer.src, p.server.nodeId);
    t.deepEqual([...answer.payload.subarray(0, 2)], [0x82, 0x01]);
  } finally {
    await p.close();
  }
});

test.serial('trapping, runaway and memory-hungry calls are contained; the node keeps serving', async (t) => {
  const built = fixtures.misbehave!;
  const p = await pair([new Uint8Array(await readFile(built.wasmPath)), cellWasm('echo')]);
  try {
    await discovered(p.client);
    type Api = { ok(x: number): Promise<number>; spin(seed: number): Promise<number>; boom(): Promise<null>; hog(): Promise<number> };
    const m = await connect({ name: built.name, speciesId: built.speciesId, schema: built.schema } as CellSpecies<Api>, { node: p.client });
    t.is(await m.ok(1), 2);
    t.is((await t.throwsAsync(m.spin(3), { instanceOf: CellCallError }))?.code, ErrorCode.OUT_OF_FUEL);
    t.is(await m.ok(2), 3);
    t.is((await t.throwsAsync(m.boom(), { instanceOf: CellCallError }))?.code, ErrorCode.CELL_TRAP);
    t.is(await m.ok(3), 4);
    t.is((await t.throwsAsync(m.hog(), { instanceOf: CellCallError }))?.code, ErrorCode.OUT_OF_MEMORY);
    t.is(await m.ok(4), 5);
    const cell = [...p.server.cells.values()].find((c) => c.name === 'misbehave')!;
    t.like(cell.instance.stats, { outOfFuel: 1, outOfMemory: 1 });
    t.true(cell.instance.stats.traps >= 3);
    t.is(p.server.kernel.stat('callErrors'), 3);
  } finally {
    await p.close();
  }
});

test.serial('species v1 and v2 run side by side; a v1 client reaches only v1', async (t) => {
  const v1 = fixtures['users-v1']!;
  const v2 = fixtures['users-v2']!;
  t.not(v1.speciesId, v2.speciesId);
  const hub = new LoopbackHub();
  const mk = (id: number) => CellNode.create({ nodeId: id, kernelWasm: kernelWasm(), transports: [hub.attach(id)], config: FAST });
  const [a, b, client] = await Promise.all([mk(0xa1), mk(0xb2), mk(0xc3)]);
  try {
    await a.host(new Uint8Array(await readFile(v1.wasmPath)));
    await b.host(new Uint8Array(await readFile(v2.wasmPath)));
    // Both hosts announce every 20 ms (+-10%), so six more announcements after hosting include both.
    await heard(client, client.kernel.stat('announcesRx') + 6);
    for (let i = 0; i < 5; i++) {
      const answer = await client.call(v1.speciesId, encodeCall(v1.schema, 'add', ['ada@example.org']));
      t.is(answer.kind, 'reply');
      t.is(answer.src, a.nodeId, 'v1 calls land on the v1 node');
    }
    const answer2 = await client.call(v2.speciesId, encodeCall(v2.schema, 'add', [['ada@example.org', 'ada@cell.dev']]));
    t.is(answer2.kind, 'reply');
    t.is(answer2.src, b.nodeId, 'v2 calls land on the v2 node');
    // A v1 payload sent to the v2 species is refused by the v2 cell, not misread.
    const wrong = await client.call(v2.speciesId, encodeCall(v1.schema, 'add', ['ada@example.org']));
    t.is(wrong.kind, 'error');
    t.is(a.kernel.stat('callsServed'), 5);
    t.is(b.kernel.stat('callsServed'), 1);
    t.is(b.kernel.stat('callErrors'), 1);
  } finally {
    await Promise.all([a.close(), b.close(), client.close()]);
  }
});
