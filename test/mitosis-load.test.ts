// Load-driven mitosis between `cell run` processes on loopback UDP (issue #13, done when): six
// processes, one hosting a signed exchange spore with min_replicas 1, max_replicas 4; load
// generators in this process push it over cpu_target, so its kernel divides onto the empty
// processes, which fetch the spore from a holder; kill -9 of a process hosting a sibling under the
// same load is followed by a new sibling elsewhere; when the load stops the replicas retire to one
// and the last one stays. The processes run with `--time-scale 10`: their clocks (and so mitosis'
// 65 s cool-down and 30 s sustain) run ten times faster than real time, and their capacity is
// divided by ten, so the same calls per real second read as the same CPU share. Every decision is
// the processes' own kernels'; nothing asserts on time: each wait is for what processes print.
import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CellNode } from '../host/runtime/cell-node.ts';
import { CallRefused } from '../host/runtime/call-refused.ts';
import { UdpTransport } from '../host/transport/udp-transport.ts';
import { newIdentity } from '../host/identity/node-identity.ts';
import { encodeCall, decodeError } from '../host/sdk/call-codec.ts';
import { Exchange } from '../build/cells/exchange.client.ts';
import { kernelWasm } from './fixtures/built.ts';
import { startExchangeProcesses, outputsText, type Proc } from './fixtures/exchange-processes.ts';
import { waitUntil } from './fixtures/wait-until.ts';

const TIME_SCALE = 10;
// exchange.book on an empty book is ~13,500 metered instructions; an esp32-s3 profile runs 2 M a
// second, so each call a second is 0.7% of a node: the load below (~100 calls a second) is about
// 0.7 of one node, 3.5 replicas' worth at cpu_target 0.2.
const BIOLOGY = { min_replicas: 1, max_replicas: 4, cpu_target: 0.2 };
const CLIENTS = 4;
const WORKERS_PER_CLIENT = 2;
const PAUSE_MS = 70;

/** Replicas this process hosts now, from what it printed: each host/spawn adds one, each retirement takes one. */
function replicas(p: Proc): number {
  if (p.dead) return 0;
  const up = p.out.match(/hosting exchange|spawned exchange/g)?.length ?? 0;
  const down = p.out.match(/retired exchange/g)?.length ?? 0;
  return up - down;
}

const procs: Proc[] = [];
const clients: CellNode[] = [];
let outputs = '';
let loadOn = false;
const answered = { reply: 0, error: 0, refused: 0, errors: new Map<string, number>() };
let loops: Array<Promise<void>> = [];
let peak = 0;
let peakTimer: NodeJS.Timeout | undefined;
const live = () => procs.reduce((n, p) => n + replicas(p), 0);

test.before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mitosis-load-'));
  outputs = join(dir, 'outputs.txt');
  const base = 20000 + Math.floor(Math.random() * 30000);
  const ports = Array.from({ length: 6 }, (_, i) => base + i);
  const clientPorts = Array.from({ length: CLIENTS }, (_, i) => base + 6 + i);
  // Pheromones also go to the load generators' ports, so they can route to the replicas.
  procs.push(...await startExchangeProcesses({ dir, biology: BIOLOGY, ports, alsoPeers: clientPorts, extraArgs: ['--board', 'esp32-s3', '--time-scale', String(TIME_SCALE)] }));
  for (const port of clientPorts) {
    const identity = await newIdentity();
    const udp = await UdpTransport.open({ host: '127.0.0.1', port, seeds: ports.map((p) => ({ address: '127.0.0.1', port: p })), multicast: false });
    // A load generator announces nothing (no pheromone: it offers no capacity, so no kernel
    // places a replica on it); it routes by the replicas' pheromones, as `cell call` does.
    clients.push(await CellNode.create({ nodeId: identity.nodeId, identity, kernelWasm: kernelWasm(), transports: [udp], config: { announceIntervalMs: 0 } }));
  }
  peakTimer = setInterval(() => (peak = Math.max(peak, live())), 20);
});

test.after.always(async () => {
  loadOn = false;
  if (peakTimer) clearInterval(peakTimer);
  await Promise.allSettled(loops);
  await Promise.allSettled(clients.map((c) => c.close()));
  for (const p of procs) if (!p.dead) p.proc.kill('SIGKILL');
  // What each process printed, for a failure's diagnosis.
  if (outputs) await writeFile(outputs, outputsText(procs));
});

async function loadLoop(client: CellNode): Promise<void> {
  const payload = encodeCall(Exchange.schema, 'book', ['BTC']);
  while (loadOn) {
    try {
      const a = await client.call(Exchange.speciesId, payload);
      if (a.kind === 'reply') answered.reply++;
      else {
        answered.error++;
        const name = decodeError(a.payload).name;
        answered.errors.set(name, (answered.errors.get(name) ?? 0) + 1);
      }
    } catch (err) {
      // NO_ROUTE before the first pheromone arrives; counted, not fatal.
      if (!(err instanceof CallRefused)) throw err;
      answered.refused++;
    }
    await new Promise((r) => setTimeout(r, PAUSE_MS));
  }
}

/** Node seconds since `t0` (ms of real time): what a process's own clock saw pass. */
const nodeSeconds = (t0: number) => (((Date.now() - t0) * TIME_SCALE) / 1000).toFixed(0);

const status = () => `replicas per process ${procs.map(replicas).join(' ')}; calls ${answered.reply} answered, ${answered.error} errors ${JSON.stringify([...answered.errors])}, ${answered.refused} refused; outputs in ${outputs}`;

test.serial('load over cpu_target: the exchange divides onto other processes, each fetching the spore', async (t) => {
  const t0 = Date.now();
  loadOn = true;
  loops = clients.flatMap((c) => Array.from({ length: WORKERS_PER_CLIENT }, () => loadLoop(c)));
  await waitUntil(() => live() >= 3 || procs.some((p) => /error|panic/i.test(p.out)), 'three replicas of exchange under load', 90_000);
  t.log(`${nodeSeconds(t0)} node s; ${status()}`);
  t.true(live() >= 3, status());
  const siblings = procs.slice(1).filter((p) => replicas(p) > 0);
  for (const s of siblings) t.regex(s.out, /spawned exchange .*fetched, verified, cached, serving/, `port ${s.port} fetched the spore`);
  t.true(answered.reply > 0);
});

test.serial('kill -9 of a process hosting a sibling, under the same load: a new sibling on another process', async (t) => {
  const t0 = Date.now();
  const victim = procs.slice(1).find((p) => replicas(p) > 0)!;
  const before = live();
  const spawnedBefore = procs.map((p) => p.out.match(/spawned exchange/g)?.length ?? 0);
  victim.proc.kill('SIGKILL');
  await waitUntil(() => victim.dead, 'the killed process to exit');
  await waitUntil(() => live() >= before, `the load to bring the replica count back to ${before}`, 90_000);
  t.log(`${nodeSeconds(t0)} node s; ${status()}`);
  const grew = procs.filter((p, i) => p !== victim && (p.out.match(/spawned exchange/g)?.length ?? 0) > spawnedBefore[i]!);
  t.true(grew.length >= 1, `a sibling started on another process: ${status()}`);
  t.true(peak <= BIOLOGY.max_replicas, `never more than max_replicas: peak ${peak}`);
});

test.serial('the load stops: the replicas retire to one, never below min_replicas', async (t) => {
  const t0 = Date.now();
  loadOn = false;
  await Promise.all(loops);
  t.true(answered.reply > answered.error * 10, `most calls were answered: ${status()}`);
  await waitUntil(() => live() <= 1, 'the replicas to retire to one', 150_000);
  t.log(`${nodeSeconds(t0)} node s; ${status()}`);
  t.is(live(), 1);
  t.true(procs.some((p) => /retired exchange/.test(p.out)));
  // Many more division rounds: the last replica stays (300 s of node time).
  const lastLines = procs.map((p) => p.out.length);
  await new Promise((r) => setTimeout(r, 300_000 / TIME_SCALE));
  t.is(live(), 1, `the last replica stays: ${status()}`);
  t.true(procs.every((p, i) => !/retired exchange/.test(p.out.slice(lastLines[i]))), 'no retirement after the count reached one');
  t.true(peak <= BIOLOGY.max_replicas, `never more than max_replicas: peak ${peak}`);
});
