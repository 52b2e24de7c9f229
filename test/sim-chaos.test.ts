// The chaos options of `cell sim` (simulator/chaos): each does what it says, in the simulated
// transport and clock, against real kernels; and a calm run is unchanged by the layer's presence.
import test from 'ava';
import fc from 'fast-check';
import { runSimulation, MACHINE_DEPENDENT_KEYS, type SimReport } from '../simulator/run-sim.ts';
import { Swarm } from '../simulator/swarm.ts';
import { loadLatencyModel } from '../simulator/latency/model.ts';
import { KernelInstance } from '../host/runtime/kernel-instance.ts';
import { checkFrame, MsgType } from '../host/wire/header.ts';
import { ChaosLayer, type ChaosHost } from '../simulator/chaos/chaos-layer.ts';
import { forgedAnnounce, forgedPong, announced, FORGED_LOAD } from '../simulator/chaos/forged-frames.ts';
import { validFrames } from '../fuzz/valid-frames.ts';
import { decodeCbor } from '../host/wire/cbor.ts';
import {
  parseChurn, parseForgers, parseJitterSpikes, parsePartition, parseSlow, hasChaos, type ChaosOptions,
} from '../simulator/chaos/chaos-options.ts';
import { suiteCells, suiteConditions } from '../simulator/chaos/chaos-suite.ts';
import { kernelWasm } from './fixtures/built.ts';
import { CoordinateSnapshot } from '../simulator/coordinates.ts';

const module = KernelInstance.compile(kernelWasm());

async function swarmOf(nodes: number, seed: number, chaos?: ChaosOptions, loss = 0): Promise<Swarm> {
  const latency = loadLatencyModel({ nodes, seed, latency: 'geo', loss });
  return new Swarm({ kernel: await module, latency, seed, chaos });
}

function machineFree(r: SimReport): string {
  const copy: Record<string, unknown> = { ...r };
  for (const k of MACHINE_DEPENDENT_KEYS) delete copy[k];
  return JSON.stringify(copy);
}

/** A host for the layer alone: n nodes, all up, frames posted into a list. */
function bareHost(n: number): ChaosHost & { posted: Array<[number, number]>; nowMs: number } {
  const h = {
    size: n, ids: Uint32Array.from({ length: n }, (_, i) => i + 1), dead: new Uint8Array(n), nowMs: 0, posted: [] as Array<[number, number]>,
    get now() { return h.nowMs; },
    at: () => {}, kill: (i: number) => { h.dead[i] = 1; }, restart: (i: number) => { h.dead[i] = 0; },
    post: (from: number, to: number) => { h.posted.push([from, to]); },
  };
  return h;
}

test('--loss 1: no frame is delivered, every one is counted lost', async (t) => {
  const swarm = await swarmOf(20, 1, undefined, 1);
  swarm.runUntil(60_000);
  t.true(swarm.counters.framesSent > 100);
  t.is(swarm.counters.framesDelivered, 0);
  t.is(swarm.counters.framesLost, swarm.counters.framesSent - swarm.counters.framesUnroutable - swarm.counters.framesBroadcastDropped);
});

test('a partition drops frames across it only during its window, and none within a side', async (t) => {
  const swarm = await swarmOf(40, 2, { partition: { atS: 20, durationS: 20, share: 0.5 } });
  swarm.runUntil(19_999);
  t.is(swarm.chaos!.counters.droppedPartition, 0, 'before the window');
  swarm.runUntil(40_000);
  const during = swarm.chaos!.counters.droppedPartition;
  t.true(during > 0, 'during the window');
  swarm.runUntil(80_000);
  t.is(swarm.chaos!.counters.droppedPartition, during, 'after the window');
  t.is(swarm.chaos!.cutOff.reduce((a, b) => a + b, 0), 20, 'half the nodes are cut off');
});

test('property: a frame is dropped by the partition iff it is posted in the window and crosses sides', (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 2, max: 50 }), fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0.1, max: 100, noNaN: true }),
    fc.double({ min: 0.05, max: 0.95, noNaN: true }), fc.double({ min: 0, max: 300_000, noNaN: true }), fc.nat(), fc.nat(), fc.nat(),
    (n, atS, durationS, share, nowMs, a, b, seed) => {
      const host = bareHost(n);
      const layer = new ChaosLayer({ partition: { atS, durationS, share } }, seed, host);
      const from = a % n;
      const to = b % n;
      const inWindow = nowMs >= atS * 1000 && nowMs < (atS + durationS) * 1000;
      const crosses = layer.cutOff[from] !== layer.cutOff[to];
      return (layer.delay(from, to, nowMs, 10) < 0) === (inWindow && crosses);
    }), { numRuns: 500 });
  t.pass();
});

test('property: jitter spikes only add delay, exactly the spike or nothing; p = 1 spikes every frame', (t) => {
  fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 5000, noNaN: true }), fc.double({ min: 0, max: 500, noNaN: true }), fc.nat(),
    (probability, ms, base, seed) => {
      const layer = new ChaosLayer({ jitterSpikes: { probability, ms } }, seed, bareHost(4));
      const d = layer.delay(0, 1, 0, base);
      return (d === base || d === base + ms) && (probability < 1 || d === base + ms);
    }), { numRuns: 500 });
  const layer = new ChaosLayer({ jitterSpikes: { probability: 1, ms: 250 } }, 1, bareHost(4));
  for (let i = 0; i < 100; i++) t.is(layer.delay(0, 1, 0, 10), 260);
  t.is(layer.counters.spiked, 100);
});

test('a slow node ticks at least factor times less often, and what it sends takes factor times longer', async (t) => {
  const calm = await swarmOf(10, 3);
  const slow = await swarmOf(10, 3, { slow: { share: 1, factor: 4 } });
  calm.runUntil(120_000);
  slow.runUntil(120_000);
  const ratio = calm.counters.ticks / slow.counters.ticks;
  // At least the factor (a bit under, for the timers' 1 ms floor); more, since slower answers also wake the kernels less.
  t.true(ratio > 3.5, `ticks calm ${calm.counters.ticks}, slow ${slow.counters.ticks}`);
  t.is(slow.chaos!.delay(0, 1, 0, 10), 40);
  t.is(slow.chaos!.tickAt(0, 1000, 1100), 1400);
});

test('churn: nodes leave, frames they would send are dropped, and they come back as fresh kernels with the same id', async (t) => {
  const swarm = await swarmOf(30, 4, { churn: { perMinute: 0.2, meanDownS: 10 } });
  const before = [...swarm.kernels];
  swarm.runUntil(300_000);
  const c = swarm.chaos!.counters;
  t.true(c.leaves > 20, `leaves ${c.leaves}`);
  t.true(c.rejoins > 10 && c.rejoins <= c.leaves, `rejoins ${c.rejoins}`);
  const restarted = swarm.kernels.map((k, i) => (k !== before[i] ? i : -1)).filter((i) => i >= 0);
  t.true(restarted.length > 0);
  // A restarted kernel runs again: it probes, and it learned its peers anew.
  const back = restarted.find((i) => !swarm.dead[i])!;
  swarm.runUntil(360_000);
  t.true(swarm.kernels[back]!.stat('probesSent') > 0);
  // One tick chain per node, whatever the restarts: no more ticks than a calm swarm of the same size.
  const calm = await swarmOf(30, 4);
  calm.runUntil(360_000);
  t.true(swarm.counters.ticks <= calm.counters.ticks, `ticks ${swarm.counters.ticks} vs calm ${calm.counters.ticks}`);
});

test('a forged announcement is a valid frame that a kernel in open mode accepts', async (t) => {
  const frame = forgedAnnounce(0x1234, [7, 0x52455000], 6);
  t.is(checkFrame(frame), 0);
  t.is(frame[2], MsgType.ANNOUNCE);
  t.deepEqual(announced(frame), { species: [7, 0x52455000], coordWords: 6 });
  const k = KernelInstance.instantiate(await module, { send: () => {}, now: () => 0, random: () => 1, cellCall: () => -1, deliver: () => {}, spawn: () => -1, retire: () => {} });
  k.init(99, 0);
  // A forger copies the coordinate length it hears: the kernel's dimensions, height and error.
  const words = CoordinateSnapshot.of([k]).dims + 2;
  t.is(k.onFrame(forgedAnnounce(0x1234, [7], words)), 0);
  const peer = k.peers().find((p) => p.nodeId === 0x1234);
  t.truthy(peer, 'the forger is in the peer table');
  t.is(peer!.load, FORGED_LOAD, 'with its zero load: in range, so open mode takes it (a negative load is dropped, badLoad)');
  t.deepEqual(peer!.species, [7]);
});

test('forged announcements draw calls in open mode (finding 1 of issue #12); a calm run has no forger', async (t) => {
  const base = { kernelWasm: kernelWasm(), nodes: 60, duration: 120, seed: 5 };
  const calm = await runSimulation(base);
  const forged = await runSimulation({ ...base, chaos: { forgers: 0.1 } });
  t.is(calm.report.routing.forgedChoiceRate, 0);
  t.is(calm.report.chaos, null);
  t.true(forged.report.chaos!.counters.forgedAnnounces > 0);
  t.true(forged.report.routing.forgedChoiceRate > 0.2, `to forgers ${forged.report.routing.forgedChoiceRate}`);
  t.true(forged.report.routing.nearestHitRate < calm.report.routing.nearestHitRate);
  // Their PONGs carry the forged coordinate too, which pulls honest coordinates off.
  t.true(forged.report.chaos!.counters.forgedPongs > 0);
  t.true(forged.report.vivaldi.medianRelError > calm.report.vivaldi.medianRelError, `${forged.report.vivaldi.medianRelError} vs ${calm.report.vivaldi.medianRelError}`);
});

test('a forged PONG differs from the real one only in its coordinate', (t) => {
  const frames = validFrames(6);
  const pong = frames.find((f) => f[2] === MsgType.PONG)!;
  const forged = forgedPong(pong);
  t.is(checkFrame(forged), 0);
  t.is(forged.length, pong.length);
  const real = decodeCbor(pong.subarray(20)) as unknown[];
  const fake = decodeCbor(forged.subarray(20)) as unknown[];
  t.deepEqual(fake[0], real[0]);
  t.deepEqual(fake.slice(2), real.slice(2));
  t.deepEqual(fake[1], [0, 0, 0, 0, 0, 0.01]);
  // Anything not shaped like a PONG passes through untouched.
  const odd = Uint8Array.from([...pong.subarray(0, 20), 0x01]);
  t.is(forgedPong(odd), odd);
});

test('the same seed and chaos give the same report; the calm run is the same with or without the layer', async (t) => {
  const chaos: ChaosOptions = { jitterSpikes: { probability: 0.05, ms: 200 }, churn: { perMinute: 0.05, meanDownS: 20 }, slow: { share: 0.2, factor: 3 }, forgers: 0.1, partition: { atS: 30, durationS: 30, share: 0.3 } };
  const base = { kernelWasm: kernelWasm(), nodes: 40, duration: 120, seed: 6 };
  const a = await runSimulation({ ...base, chaos });
  const b = await runSimulation({ ...base, chaos });
  t.is(machineFree(a.report), machineFree(b.report));
  const calm = await runSimulation(base);
  const empty = await runSimulation({ ...base, chaos: {} });
  t.is(machineFree(calm.report), machineFree(empty.report));
  t.false(hasChaos({}));
});

test('property: option text round-trips, and out-of-range values are refused', (t) => {
  const unit = fc.double({ min: 0, max: 1, noNaN: true });
  fc.assert(fc.property(unit, fc.double({ min: 0, max: 1e4, noNaN: true }), (p, ms) => {
    const s = parseJitterSpikes(`${p},${ms}`);
    return s.probability === p && s.ms === ms;
  }));
  fc.assert(fc.property(fc.double({ min: 0, max: 1e4, noNaN: true }), fc.double({ min: 0.001, max: 1e4, noNaN: true }), fc.double({ min: 0.001, max: 0.999, noNaN: true }), (at, d, share) => {
    const p = parsePartition(`${at},${d},${share}`);
    return p.atS === at && p.durationS === d && p.share === share;
  }));
  t.deepEqual(parseChurn('0.1'), { perMinute: 0.1, meanDownS: 60 });
  t.deepEqual(parseChurn('0.1,5'), { perMinute: 0.1, meanDownS: 5 });
  t.deepEqual(parseSlow('0.1,5'), { share: 0.1, factor: 5 });
  t.is(parseForgers('0.2'), 0.2);
  for (const [f, text] of [[parseJitterSpikes, '2,10'], [parseJitterSpikes, '0.1'], [parsePartition, '0,0,0.5'], [parsePartition, '0,10,1'], [parseChurn, '-1'],
    [parseSlow, '0.5,0.5'], [parseForgers, '1'], [parseForgers, 'x'], [parseSlow, '0.1,,2']] as const) {
    t.throws(() => (f as (s: string) => unknown)(text), { instanceOf: RangeError }, `${text}`);
  }
});

test('the suite lists calm first and each condition once; its table has a row per condition', (t) => {
  const c = suiteConditions(600);
  t.is(c[0]!.name, 'calm');
  t.deepEqual(c.map((x) => x.name), ['calm', 'loss', 'jitter-spikes', 'partition', 'churn', 'slow', 'forgers']);
  for (const x of c.slice(1)) t.true(x.loss > 0 || hasChaos(x.chaos), x.name);
  t.is(suiteCells([]).length, 1, 'a header row alone');
});
