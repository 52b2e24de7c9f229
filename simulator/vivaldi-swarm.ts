// Runs N instances of the Vivaldi test harness (test/harness/vivaldi-harness.ts), one per virtual
// node, with a plain probe loop: every simulated second each node PINGs the target its own
// neighbour policy picks, the target answers with a PONG, and the RTT sample comes from a latency
// function. The bytes cross between instances exactly as they would between devices.
import { compileAssemblyScript } from '../host/build/asc.ts';
import { Rng } from './rng.ts';
import { TUNE, type TuneName } from '../host/wire/protocol-table.ts';
import { summarise, type ErrorStats } from './metrics.ts';

export const HARNESS_ENTRY = 'test/harness/vivaldi-harness.ts';

export interface HarnessExports {
  memory: WebAssembly.Memory;
  buf(): number;
  bufCap(): number;
  dims(): number;
  filterSamples(): number;
  slots(): number;
  maxMisses(): number;
  sample(id: number, rtt: number): number;
  peerPtr(): number;
  init(self: number, seed: number): void;
  offer(id: number): number;
  next(r: number): number;
  neighbours(): number;
  filtered(id: number): number;
  word(i: number): number;
  stat(id: number): number;
  tune(id: number, v: number): number;
  ping(now: number): number;
  onPing(len: number, src: number, r: number): number;
  onPong(len: number, src: number, now: number, seed: number): number;
  writeCoord(): number;
  readCoord(len: number): number;
  predictPeer(): number;
  updateRaw(rtt: number, seed: number): number;
  filterClear(): void;
  filterPush(rtt: number): void;
  filterValue(): number;
}

export class HarnessPanic extends Error {}

let cached: Promise<WebAssembly.Module> | undefined;

/** Compiles the harness once per process (host target: a host node's 64 neighbour slots; a board's mcu build holds MCU_NB_SLOTS). */
export function compileHarness(): Promise<WebAssembly.Module> {
  cached ??= compileAssemblyScript({ entries: [HARNESS_ENTRY], target: 'host', runtime: 'stub' }).then((r) =>
    WebAssembly.compile(r.binary),
  );
  return cached;
}

export interface VivaldiNode {
  x: HarnessExports;
  /** The instance's whole memory (fixed size, so the view never goes stale). */
  mem: Uint8Array;
  buf: number;
}

export function instantiateNode(mod: WebAssembly.Module): VivaldiNode {
  const hal = {
    panic: () => {
      throw new HarnessPanic('vivaldi harness aborted');
    },
    // The harness needs only panic today; the rest keep it instantiable if that changes.
    send: () => {},
    now: () => 0,
    random: () => 0,
    log: () => {},
    cell_call: () => -1,
    deliver: () => {},
  };
  const inst = new WebAssembly.Instance(mod, { hal });
  const x = inst.exports as unknown as HarnessExports;
  return { x, mem: new Uint8Array(x.memory.buffer), buf: x.buf() };
}

/** Base RTT (ms) between nodes i and j, i != j. */
export type RttFn = (i: number, j: number) => number;
/** One measured sample of the base RTT (noise, spikes); must not consume randomness when unused. */
export type SampleFn = (base: number, rng: Rng) => number;

export interface SwarmOptions {
  n: number;
  rtt: RttFn;
  sample?: SampleFn;
  seconds: number;
  seed: number;
  /** Random peers each node is told about at start (a bootstrap list). */
  bootstrap?: number;
  tune?: Partial<Record<TuneName, number>>;
  /** The network changes at this second: from then on RTTs (and the error) follow `rttAfter`. */
  changeAt?: number;
  rttAfter?: RttFn;
  /** Called every `every` simulated seconds with the current error stats. */
  every?: number;
  onCheckpoint?: (t: number, stats: ErrorStats, nodes: VivaldiNode[]) => void;
}

export interface SwarmResult {
  nodes: VivaldiNode[];
  dims: number;
  final: ErrorStats;
  series: { t: number; stats: ErrorStats }[];
}

function copyPayload(from: VivaldiNode, to: VivaldiNode, len: number): void {
  to.mem.set(from.mem.subarray(from.buf, from.buf + len), to.buf);
}

/** Node ids are index + 1: 0 means "nobody" in the neighbour API. */
export async function runSwarm(opts: SwarmOptions): Promise<SwarmResult> {
  const mod = await compileHarness();
  const { n, seconds } = opts;
  let rtt = opts.rtt;
  const sample = opts.sample ?? ((b: number) => b);
  const rng = new Rng(opts.seed, 0x76697661);
  const nodes: VivaldiNode[] = [];
  for (let i = 0; i < n; i++) {
    const node = instantiateNode(mod);
    node.x.init(i + 1, rng.u32());
    for (const [name, v] of Object.entries(opts.tune ?? {})) {
      if (!node.x.tune(TUNE[name as TuneName], v as number)) throw new RangeError(`tune ${name}=${v} rejected`);
    }
    nodes.push(node);
  }
  const boot = Math.min(opts.bootstrap ?? 8, n - 1);
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < boot; b++) {
      const j = rng.int(n);
      if (j !== i) nodes[i].x.offer(j + 1);
    }
  }
  const dims = nodes[0]?.x.dims() ?? 0;
  const series: SwarmResult['series'] = [];
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let t = 0; t < seconds; t++) {
    if (t === opts.changeAt && opts.rttAfter) rtt = opts.rttAfter;
    rng.shuffle(order);
    for (const i of order) {
      const a = nodes[i];
      const target = a.x.next(rng.u32());
      if (target === 0) continue;
      const j = target - 1;
      const b = nodes[j];
      const sent = t * 1000 + i / n; // distinct send times; the value only matters as t_sent
      const pingLen = a.x.ping(sent);
      copyPayload(a, b, pingLen);
      const pongLen = b.x.onPing(pingLen, i + 1, rng.u32());
      if (pongLen < 0) throw new Error(`node ${j + 1} rejected a PING`);
      copyPayload(b, a, pongLen);
      const s = sample(rtt(i, j), rng);
      a.x.onPong(pongLen, j + 1, sent + s, rng.u32());
    }
    if (opts.every && (t + 1) % opts.every === 0) {
      const stats = errorStats(coordinates(nodes), n, dims, rtt);
      series.push({ t: t + 1, stats });
      opts.onCheckpoint?.(t + 1, stats, nodes);
    }
  }
  return { nodes, dims, final: errorStats(coordinates(nodes), n, dims, rtt), series };
}

/** Every node's exported words: dims coordinates, height, error (row-major, dims + 2 per node). */
export function coordinates(nodes: VivaldiNode[]): Float64Array {
  const w = (nodes[0]?.x.dims() ?? 0) + 2;
  const out = new Float64Array(nodes.length * w);
  nodes.forEach((node, i) => {
    for (let k = 0; k < w; k++) out[i * w + k] = node.x.word(k);
  });
  return out;
}

/** Predicted RTT from exported words: ||x_i - x_j|| + h_i + h_j (docs/vivaldi.md). */
export function predicted(words: Float64Array, dims: number, i: number, j: number): number {
  const w = dims + 2;
  let s = 0;
  for (let k = 0; k < dims; k++) {
    const d = words[i * w + k] - words[j * w + k];
    s += d * d;
  }
  return Math.sqrt(s) + words[i * w + dims] + words[j * w + dims];
}

/** Relative error |predicted - measured| / measured over all ordered pairs with a known RTT. */
export function errorStats(words: Float64Array, n: number, dims: number, rtt: RttFn): ErrorStats {
  const errs = new Float64Array(n * (n - 1));
  let m = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const r = rtt(i, j);
      if (!(r > 0)) continue;
      errs[m++] = Math.abs(predicted(words, dims, i, j) - r) / r;
    }
  }
  return summarise(errs.subarray(0, m).sort());
}
