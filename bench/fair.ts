// `npm run bench -- --only fair`: issue #12 finding 8 on real kernels and cells in one process
// (loopback hub, wall clock). A runaway node calls a cell that spins until its fuel runs out at
// 500/s and 1000/s while 8 other nodes call echo at 20/s each: their p50/p99 with the kernel's
// per-caller CPU budget (cpuBudget 0.8) beside the same run without it (cpuBudget 0, main's
// behaviour). Then 64 callers share one node through one client with 20,000 calls.
import { CellNode, type Answer } from '../host/runtime/cell-node.ts';
import { LoopbackHub } from '../host/transport/loopback-transport.ts';
import { encodeCall } from '../host/sdk/call-codec.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../host/build/asc.ts';
import { buildCell } from '../host/build/build-cell.ts';
import type { CellSchema } from '../host/sdk/schema.ts';
import { percentile } from './percentiles.ts';

const built = (name: string) => JSON.parse(readFileSync(join(REPO_ROOT, 'build/cells', `${name}.schema.json`), 'utf8')) as { speciesId: number; schema: CellSchema };
const kernel = () => new Uint8Array(readFileSync(join(REPO_ROOT, 'build/kernel.wasm')));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RunawayFigures { rate: number; cpuBudget: number; othersP50Ms: number; othersP99Ms: number; othersDone: number; othersFailed: number; runawayServed: number; runawayShed: number }

async function runaway(rate: number, cpuBudget: number, seconds: number, spin: { wasm: Uint8Array; speciesId: number; schema: CellSchema }): Promise<RunawayFigures> {
  const hub = new LoopbackHub();
  const echo = built('echo');
  const server = await CellNode.create({ nodeId: 0x5e000001, kernelWasm: kernel(), transports: [hub.attach(0x5e000001)], config: { announceIntervalMs: 0, probeIntervalMs: 0, cpuBudget } });
  await server.host(new Uint8Array(readFileSync(join(REPO_ROOT, 'build/cells/echo.wasm'))));
  await server.host(spin.wasm);
  const client = (id: number) => CellNode.create({ nodeId: id, kernelWasm: kernel(), transports: [hub.attach(id)], config: { announceIntervalMs: 0, probeIntervalMs: 0, callAttempts: 1, callTimeoutMs: 5000 } });
  const bad = await client(0xbad00001);
  const others = await Promise.all(Array.from({ length: 8 }, (_, i) => client(0xc0000001 + i)));
  const spinCall = encodeCall(spin.schema, 'spin', [1]);
  const echoCall = encodeCall(echo.schema, 'echo', ['hello']);
  let served = 0;
  let shed = 0;
  const lat: number[] = [];
  let failed = 0;
  const end = performance.now() + seconds * 1000;
  const flood = (async () => {
    let next = performance.now();
    while (performance.now() < end) {
      void bad.call(spin.speciesId, spinCall, 0x5e000001).then((a: Answer) => (a.kind === 'reply' || a.payload[1] !== 11 ? served++ : shed++));
      next += 1000 / rate;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      else if (wait < -5) await new Promise((r) => setImmediate(r));
    }
  })();
  const polite = others.map(async (node, i) => {
    await sleep(i * 6);
    while (performance.now() < end) {
      const t0 = performance.now();
      const a = await node.call(echo.speciesId, echoCall, 0x5e000001);
      if (a.kind === 'reply') lat.push(performance.now() - t0);
      else failed++;
      await sleep(50);
    }
  });
  await Promise.all([flood, ...polite]);
  await sleep(200);
  for (const n of [bad, ...others, server]) await n.close();
  lat.sort((a, b) => a - b);
  return { rate, cpuBudget, othersP50Ms: percentile(lat, 0.5), othersP99Ms: percentile(lat, 0.99), othersDone: lat.length, othersFailed: failed, runawayServed: served, runawayShed: shed };
}

export interface SharedPeerFigures { callers: number; calls: number; through: number; refused: number; seconds: number; slowestCallerAtFirstDone: number; refusedOffers: number }

async function sharedPeer(callers: number, total: number): Promise<SharedPeerFigures> {
  const hub = new LoopbackHub();
  const echo = built('echo');
  const server = await CellNode.create({ nodeId: 0x5e000002, kernelWasm: kernel(), transports: [hub.attach(0x5e000002)], config: { announceIntervalMs: 0, probeIntervalMs: 0 } });
  await server.host(new Uint8Array(readFileSync(join(REPO_ROOT, 'build/cells/echo.wasm'))));
  const client = await CellNode.create({ nodeId: 0xc1000009, kernelWasm: kernel(), transports: [hub.attach(0xc1000009)], config: { announceIntervalMs: 0, probeIntervalMs: 0, defaultRoute: 1 } });
  const payload = encodeCall(echo.schema, 'echo', ['x']);
  const per = Math.ceil(total / callers);
  const done = new Array<number>(callers).fill(0);
  let refused = 0;
  let firstDone: number[] | undefined;
  const t0 = performance.now();
  await Promise.all(done.map(async (_, c) => {
    for (let i = 0; i < per; i++) {
      try {
        const a = await client.call(echo.speciesId, payload);
        if (a.kind === 'reply') done[c]++;
      } catch {
        refused++;
      }
    }
    firstDone ??= [...done];
  }));
  const seconds = (performance.now() - t0) / 1000;
  const r = { callers, calls: per * callers, through: done.reduce((a, b) => a + b, 0), refused, seconds, slowestCallerAtFirstDone: Math.min(...firstDone!), refusedOffers: client.queueStats.refusedOffers };
  await client.close();
  await server.close();
  return r;
}

export async function benchFair(opts: { seconds: number }) {
  const dir = join(REPO_ROOT, 'build', 'bench-cells');
  const b = await buildCell(join(REPO_ROOT, 'test/fixtures/cells/misbehave'), { target: 'mcu', outDir: dir });
  const spin = { wasm: new Uint8Array(readFileSync(b.wasmPath)), speciesId: b.speciesId, schema: b.schema };
  const runs: RunawayFigures[] = [];
  for (const rate of [500, 1000]) for (const cpuBudget of [0, 0.8]) runs.push(await runaway(rate, cpuBudget, opts.seconds, spin));
  return { runaway: runs, sharedPeer: await sharedPeer(64, 20_000) };
}
