// A mitosis run: the swarm of real kernels hosts one species; clients spread over the swarm call
// it; each call costs the metered instructions a real call of the real cell costs, served by the
// replica's node queue. Two controllers run the same seed, nodes, latencies and load:
//   cell  - the kernels' own division rounds (firmware/kernel/division.ts), no coordinator;
//   hpa   - a central Kubernetes-HPA controller (hpa.ts) placing replicas at random nodes.
import type { ChaosOptions } from '../chaos/chaos-options.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Swarm, frameDst, type SwarmHooks } from '../swarm.ts';
import { KernelInstance } from '../../host/runtime/kernel-instance.ts';
import { CellInstance } from '../../host/runtime/cell-instance.ts';
import { encodeCall } from '../../host/sdk/call-codec.ts';
import { ErrorCode, encodeErrorPayload } from '../../host/wire/error-codes.ts';
import { MsgType } from '../../host/wire/header.ts';
import { SPORE_MAX_HOLDERS } from '../../host/wire/protocol-table.ts';
import { validateSchema } from '../../host/sdk/schema.ts';
import { speciesIdOf } from '../../host/sdk/species.ts';
import { readCellToml } from '../../host/build/cell-toml.ts';
import { REPO_ROOT } from '../../host/build/paths.ts';
import { readBoard } from '../../host/runtime/board-profile.ts';
import { loadLatencyModel, type LatencyModel } from '../latency/model.ts';
import { ServiceQueues } from './load-model.ts';
import { PoissonArrivals } from './arrivals.ts';
import { scenario as makeScenario, type Scenario } from './scenarios.ts';
import { HpaController } from './hpa.ts';
import { randomPlacement } from './placement.ts';
import { autoscalingMetrics, latencyQuantileSeries, type AutoscalingMetrics, type ControlSample } from './metrics.ts';
import { Rng } from '../rng.ts';
import { quantile, choiceQuality, type ReplicaChoice } from '../metrics.ts';
import type { Progress } from '../../host/cli/progress.ts';
import { SporeMirrors, type SharedModule, type SporeFigures, type FetchOutcome } from '../spores/spore-mirrors.ts';

const SLOT = 1; // every node hosts the species in slot 1
/**
 * A sibling is ready once its kernel fetched the spore chunk by chunk (simulator/spores) and the
 * host instantiated it. Each node's uplink sends chunks at 1 MB/s (a board's Wi-Fi, roughly).
 */
const SPORE_UPLINK_BYTES_PER_MS = 1000;
const INSTANTIATE_MS = 50;
const OVERLOADED = encodeErrorPayload(ErrorCode.OVERLOADED, 'overloaded: queue full');

export type Controller = 'cell' | 'hpa';

// Both serve calls with the queue model (load-model.ts) charging the cell's metered cost, not by running the cell.
const CONTROLLER_SOURCE: Record<Controller, string> = {
  cell: "firmware: the kernels' own division rounds (firmware/kernel/division.ts); service by the queue model",
  hpa: 'model: a Kubernetes HPA controller (simulator/mitosis/hpa.ts); service by the queue model',
};

export interface MitosisOptions {
  kernelWasm: Uint8Array;
  nodes: number;
  seed: number;
  scenario: string;
  /** Simulated seconds (default 1200). */
  duration?: number;
  matrix?: string;
  latency?: 'geo' | 'matrix';
  sample?: boolean;
  /** Requests per second of the base load (default: enough for min_replicas at half the target). */
  baseRate?: number;
  /** Nodes that issue requests (default 200). */
  clients?: number;
  /** Metered instructions per second of a node (default: boards/esp32-s3.json). */
  capacity?: number;
  /**
   * A replica whose queue already holds this many ms of work sheds a new call (ERROR OVERLOADED,
   * not executed) and the caller's kernel sends it to another replica. Default 100; Infinity: never.
   */
  maxBacklogMs?: number;
  progress?: Progress;
  /** Frame loss of the latency model (as `cell sim --loss`), and the chaos of simulator/chaos. */
  loss?: number;
  chaos?: ChaosOptions;
  /** Sees each chunk a node stores and each replica start, in virtual time (tests). */
  trace?: (e: { kind: 'chunk' | 'hosting'; controller: Controller; node: number; tMs: number }) => void;
  /** Bytes per ms of each node's uplink for spore chunks (default 1000: 1 MB/s); Infinity: latency only. */
  sporeUplinkBytesPerMs?: number;
}

export interface ControllerRun {
  /** Where the scaling decisions come from: the firmware, or a model standing in for a central controller. */
  source: string;
  metrics: AutoscalingMetrics;
  failedRequests: number;
  series: { t: number[]; replicas: number[]; cpuShare: number[]; p99LatencyMs: number[] };
  kernel: { spawns: number; retirements: number; callsShed: number; overloadFailovers: number };
  /** Replicas that died with their nodes (node-failures). */
  replicasLost: number;
  /** Where the replicas ended up: median over live clients of the RTT to their nearest replica at the end (ms). */
  clientNearestRttMs: number | null;
  /** The spore transfers of this run: every sibling fetched its spore through its kernel first. */
  spores: SporeFigures;
  /** The replica each client's kernel chose for a call (the CALL's dst), against the truly nearest live one then. */
  routing: { source: 'kernel routing'; calls: number; nearestHitRate: number; medianStretch: number; p90Stretch: number };
}

export interface MitosisResult {
  scenario: string;
  species: string;
  costInstructions: number;
  capacity: number;
  biology: { minReplicas: number; maxReplicas: number; cpuTarget: number };
  cell: ControllerRun;
  hpa: ControllerRun;
}

/** The exchange cell's species, policy and the metered cost of one place_order, measured once. */
async function exchangeCell() {
  const dir = join(REPO_ROOT, 'firmware', 'cells', 'exchange');
  const toml = readCellToml(dir);
  const schemaFile = JSON.parse(await readFile(join(REPO_ROOT, 'build', 'cells', 'exchange.schema.json'), 'utf8'));
  const schema = validateSchema(schemaFile.schema);
  const wasm = new Uint8Array(await readFile(join(REPO_ROOT, 'build', 'cells', 'exchange.wasm')));
  const cell = await CellInstance.load(wasm, { maxPages: 1, fuelPerCall: 100_000_000 });
  const payload = encodeCall(schema, 'place_order', ['BTC', 5]);
  // The cost the meter charges for a real call (place_order then cancel keeps the book from filling).
  const costs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const r = cell.call(payload);
    costs.push(r.fuelUsed);
    cell.call(encodeCall(schema, 'cancel', [BigInt(i + 1)]));
  }
  costs.sort((a, b) => a - b);
  return {
    speciesId: speciesIdOf(schema), name: schema.name, payload, cost: costs[costs.length >> 1]!, sporeBytes: wasm,
    biology: { minReplicas: toml.biology.min_replicas, maxReplicas: toml.biology.max_replicas, cpuTarget: toml.biology.cpu_target },
  };
}

export async function boardCapacity(board = 'esp32-s3'): Promise<number> {
  return (await readBoard(board)).instructionsPerSecond;
}

export async function runMitosis(opts: MitosisOptions): Promise<MitosisResult> {
  const cell = await exchangeCell();
  const capacity = opts.capacity ?? (await boardCapacity());
  const duration = opts.duration ?? 1200;
  const serviceS = cell.cost / capacity;
  // Base load: min_replicas at half their target, so a 10x step needs about 5x the replicas.
  const baseRate = opts.baseRate ?? (cell.biology.minReplicas * cell.biology.cpuTarget * 0.5) / serviceS;
  const sc = makeScenario(opts.scenario, { baseRate, durationS: duration });
  const latency = loadLatencyModel({ matrix: opts.matrix, latency: opts.latency, nodes: opts.nodes, seed: opts.seed, sampleWithReplacement: opts.sample, loss: opts.loss });
  const module = await KernelInstance.compile(opts.kernelWasm);
  const runs: Record<Controller, ControllerRun> = {} as Record<Controller, ControllerRun>;
  for (const controller of ['cell', 'hpa'] as const) {
    runs[controller] = runOne({
      controller, module, latency, sc, cell, capacity, seed: opts.seed, clients: opts.clients ?? 200, maxBacklogS: (opts.maxBacklogMs ?? 100) / 1000,
      progress: opts.progress, offset: controller === 'cell' ? 0 : duration, total: 2 * duration, chaos: opts.chaos,
      uplinkBytesPerMs: opts.sporeUplinkBytesPerMs ?? SPORE_UPLINK_BYTES_PER_MS, trace: opts.trace,
    });
  }
  opts.progress?.stop();
  return { scenario: sc.name, species: cell.name, costInstructions: cell.cost, capacity, biology: cell.biology, cell: runs.cell, hpa: runs.hpa };
}

interface RunArgs {
  controller: Controller;
  module: WebAssembly.Module;
  latency: LatencyModel;
  sc: Scenario;
  cell: Awaited<ReturnType<typeof exchangeCell>>;
  capacity: number;
  seed: number;
  clients: number;
  maxBacklogS: number;
  progress?: Progress;
  offset: number;
  total: number;
  chaos?: ChaosOptions;
  uplinkBytesPerMs: number;
  trace?: MitosisOptions['trace'];
}

function runOne(a: RunArgs): ControllerRun {
  const run = new ControllerSwarm(a);
  run.placeFirstReplicas();
  run.scheduleArrivals();
  run.scheduleFailures();
  run.advance();
  return run.result();
}

/** One controller's run: the swarm, the replicas it hosts, its clients, and what it records. */
class ControllerSwarm {
  readonly n: number;
  // placements, clients, failures: the same for both controllers
  readonly rng: Rng;
  readonly queues: ServiceQueues;
  readonly hosting: Uint8Array; // 1: serving the species
  readonly pending: Uint8Array; // 1: a spore is on its way, or being instantiated
  /** The spore's one shared buffer, and which chunks each node holds. */
  readonly mirrors: SporeMirrors;
  readonly spore: SharedModule;
  readonly startedS: Float64Array;
  readonly retiredAt: Float64Array;
  readonly clientNodes: number[];
  readonly started = new Map<number, { t: number }>();
  readonly latencyMs: number[] = [];
  readonly unloadedMs: number[] = [];
  readonly doneAtS: number[] = [];
  readonly samples: ControlSample[] = [];
  readonly choices: ReplicaChoice[] = [];
  /** The live hosts, kept between changes (every call compares its choice with them). */
  private hosts: Int32Array | null = null;
  private caller = -1;
  private callDst = 0;
  readonly hpa: HpaController;
  failed = 0;
  replicasLost = 0;
  readonly swarm: Swarm;

  constructor(readonly a: RunArgs) {
    const n = (this.n = a.latency.size);
    this.rng = new Rng(a.seed, 0x6d69746f);
    this.queues = new ServiceQueues(n, a.capacity);
    this.hosting = new Uint8Array(n);
    this.pending = new Uint8Array(n);
    this.mirrors = new SporeMirrors(n);
    this.spore = this.mirrors.add(a.cell.speciesId, a.cell.sporeBytes);
    this.startedS = new Float64Array(n);
    this.retiredAt = new Float64Array(n).fill(-Infinity);
    this.clientNodes = pickClients(this.rng, n, a.clients);
    this.swarm = new Swarm({
      kernel: a.module, latency: a.latency, seed: a.seed, bootstrap: 4,
      // Pheromones every 2 s: on the WAN they travel on the species' group (hosts and its clients).
      kernelConfig: { announceIntervalMs: 2000, peerWindow: 64, callTimeoutMs: 3000, callAttempts: 2 },
      hooks: this.hooks(),
      chaos: a.chaos,
      spores: this.mirrors,
      sporeUplinkBytesPerMs: a.uplinkBytesPerMs,
    });
    this.mirrors.clock = () => this.swarm.now;
    const trace = a.trace;
    if (trace) this.mirrors.onChunk = (node) => trace({ kind: 'chunk', controller: a.controller, node, tMs: this.swarm.now });
    // The central baseline: HPA syncs every 15 s; a ReplicaSet keeps its count, replacing lost pods.
    const b = a.cell.biology;
    this.hpa = new HpaController({ minReplicas: b.minReplicas, maxReplicas: b.maxReplicas, targetUtilisation: b.cpuTarget });
  }

  private liveHosts(): Int32Array {
    this.hosts ??= Int32Array.from(this.hostList());
    return this.hosts;
  }

  /** Live nodes hosting the species. */
  hostList(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) if (this.hosting[i] && !this.swarm.dead[i]) out.push(i);
    return out;
  }

  private hooks(): SwarmHooks {
    const { a, queues } = this;
    const cell = a.cell;
    return {
      cellCall: (node, _slot, _input, out) => {
        const nowS = this.swarm.now / 1000;
        if (queues.backlogS(node, nowS) > a.maxBacklogS) {
          out.set(OVERLOADED);
          return -OVERLOADED.length;
        }
        const done = queues.enqueue(node, nowS, cell.cost);
        this.swarm.extraDelayMs = (done - nowS) * 1000;
        out[0] = 0x01; // CBOR 1: an order id; the cost, not the value, is what the run measures
        return 1;
      },
      deliver: (node, kind, seq, src) => this.answered(node, kind, seq, src),
      broadcast: (node) => {
        if (!this.hosting[node] && this.swarm.now - this.retiredAt[node]! > 10_000) return [];
        return [...this.hostList(), ...this.clientNodes];
      },
      spawn: (node, _species, target) => {
        const t = this.swarm.indexOf(target);
        if (a.controller !== 'cell' || t < 0 || this.swarm.dead[t] || this.hosting[t] || this.pending[t]) return -1;
        return this.startReplica(t, [this.swarm.ids[node]!]) ? 0 : -1;
      },
      retire: (node) => this.stopReplica(node),
      sent: (node, frame) => {
        if (node === this.caller && frame[2] === MsgType.CALL) this.callDst = frameDst(frame);
      },
      restarted: (node) => {
        // A reboot ends the fetch; the chunks already in stay (a host keeps them on disk).
        this.mirrors.abandon(node);
        this.pending[node] = 0;
      },
    };
  }

  /** A client's kernel handed it the answer (REPLY) or the failure (ERROR) of a call. */
  private answered(node: number, kind: number, seq: number, src: number): void {
    const key = node * 65536 + seq;
    const s = this.started.get(key);
    if (!s) return;
    this.started.delete(key);
    if (kind !== MsgType.REPLY) { this.failed++; return; }
    const swarm = this.swarm;
    const replica = swarm.indexOf(src);
    this.latencyMs.push(swarm.now - s.t);
    this.unloadedMs.push(this.a.latency.rtt(node, replica) + (this.a.cell.cost / this.a.capacity) * 1000);
    this.doneAtS.push(swarm.now / 1000);
  }

  /**
   * Node t's kernel fetches the spore (from `hints` first, then the holders it hears announce the
   * species), and the replica starts INSTANTIATE_MS after the last chunk arrived. False when its
   * kernel would not start a fetch.
   */
  startReplica(t: number, hints: readonly number[]): boolean {
    const { swarm } = this;
    if (this.mirrors.holds(this.spore, t)) {
      this.pending[t] = 1;
      swarm.at(swarm.now + INSTANTIATE_MS, () => this.ready(t));
      return true;
    }
    const started = this.mirrors.fetch(swarm.kernels[t]!, t, this.spore, hints, swarm.now, (o: FetchOutcome) => {
      if (!o.ok) { this.pending[t] = 0; return; }
      swarm.at(swarm.now + INSTANTIATE_MS, () => this.ready(t));
    });
    if (started && !this.mirrors.fetching(t) && !this.mirrors.holds(this.spore, t)) return false; // failed at once: no holder
    if (started) this.pending[t] = 1;
    return started;
  }

  /** The spore is in and instantiated: node t hosts the species. */
  private ready(t: number): void {
    const { swarm, a } = this;
    this.pending[t] = 0;
    if (swarm.dead[t] || this.hosting[t]) return;
    this.hosting[t] = 1;
    this.hosts = null;
    this.startedS[t] = swarm.now / 1000;
    swarm.kernels[t]!.host(SLOT, a.cell.speciesId);
    if (a.controller === 'cell') swarm.kernels[t]!.policy(SLOT, a.cell.biology);
    a.trace?.({ kind: 'hosting', controller: a.controller, node: t, tMs: swarm.now });
  }

  stopReplica(t: number): void {
    if (!this.hosting[t]) return;
    this.hosting[t] = 0;
    this.hosts = null;
    this.retiredAt[t] = this.swarm.now;
    this.swarm.kernels[t]!.setLoad(0, 1); // idle again: spare for the next sibling
  }

  /** Every node starts with spare capacity; the first min_replicas go to random nodes, the same for both. */
  placeFirstReplicas(): void {
    const { swarm, a, n, rng } = this;
    for (let i = 0; i < n; i++) swarm.kernels[i]!.setLoad(0, 1);
    for (let k = 0; k < a.cell.biology.minReplicas; k++) {
      let t = rng.int(n);
      while (this.hosting[t]) t = rng.int(n);
      this.hosting[t] = 1;
      this.mirrors.install(this.spore, t);
      swarm.kernels[t]!.host(SLOT, a.cell.speciesId);
      if (a.controller === 'cell') swarm.kernels[t]!.policy(SLOT, a.cell.biology);
    }
  }

  /** Requests: Poisson arrivals at the scenario's rate, each from a random live client. */
  scheduleArrivals(): void {
    const { swarm, a } = this;
    const sc = a.sc;
    const arrivals = new PoissonArrivals(sc.rate, sc.peakRate, new Rng(a.seed, 0x72657173), 0, sc.durationS);
    const nextArrival = () => {
      const tS = arrivals.next();
      if (!Number.isFinite(tS)) return;
      swarm.at(tS * 1000, () => {
        const c = this.clientNodes[this.rng.int(this.clientNodes.length)]!;
        if (!swarm.dead[c]) {
          this.caller = c;
          this.callDst = 0;
          const seq = swarm.kernels[c]!.call(0, a.cell.speciesId, a.cell.payload);
          this.caller = -1;
          if (seq > 0) {
            this.started.set(c * 65536 + seq, { t: swarm.now });
            this.noteChoice(c);
          } else this.failed++;
        }
        nextArrival();
      });
    };
    nextArrival();
  }

  /** The replica the kernel of client c chose: the CALL's dst, or c itself (no CALL leaves a node hosting it). */
  private noteChoice(c: number): void {
    const chosen = this.callDst === 0 ? c : this.swarm.indexOf(this.callDst);
    const replicas = this.liveHosts();
    if (chosen >= 0 && replicas.length > 0) this.choices.push({ client: c, chosen, replicas });
  }

  /** Node failures, as the scenario says. */
  scheduleFailures(): void {
    const { swarm, n, rng } = this;
    for (const f of this.a.sc.failures) {
      swarm.at(f.atS * 1000, () => {
        const alive: number[] = [];
        for (let i = 0; i < n; i++) if (!swarm.dead[i]) alive.push(i);
        const k = Math.round(alive.length * f.fraction);
        for (let j = 0; j < k; j++) {
          const pick = j + rng.int(alive.length - j);
          [alive[j], alive[pick]] = [alive[pick]!, alive[j]!];
          if (this.hosting[alive[j]!]) this.replicasLost++;
          swarm.kill(alive[j]!);
        }
        this.hosts = null;
      });
    }
  }

  /** Once a second: each host's meter to its kernel, the HPA's sync, and a control sample. */
  meter(tS: number): void {
    const { swarm, queues } = this;
    const hosts = this.hostList();
    let sum = 0;
    for (const h of hosts) {
      const share = queues.utilisation(h, tS);
      sum += share;
      swarm.kernels[h]!.cellLoad(SLOT, share);
      swarm.kernels[h]!.setLoad(share, Math.max(0, 1 - share));
    }
    if (this.a.controller === 'hpa') this.hpaSync(tS, hosts);
    this.samples.push({ tS, replicas: hosts.length, meanCpuShare: hosts.length > 0 ? sum / hosts.length : 0 });
  }

  /** The HPA's desired count, met by starting replicas at random free nodes or stopping the newest. */
  private hpaSync(tS: number, hosts: number[]): void {
    const { swarm, queues, n } = this;
    const desired = this.hpa.sync(tS, hosts.map((h) => ({ cpu: queues.utilisation(h, tS), startedS: this.startedS[h]! })));
    let live = hosts.length;
    for (let i = 0; i < n; i++) if (this.pending[i]) live++;
    if (desired > live) {
      const free: number[] = [];
      for (let i = 0; i < n; i++) if (!this.hosting[i] && !this.pending[i] && !swarm.dead[i]) free.push(i);
      for (let k = live; k < desired && free.length > 0; k++) {
        const t = randomPlacement(this.rng, free);
        free.splice(free.indexOf(t), 1);
        this.startReplica(t, this.nearestHolders(t));
      }
    } else if (desired < hosts.length) {
      const newest = [...hosts].sort((x, y) => this.startedS[y]! - this.startedS[x]!);
      for (const h of newest.slice(0, hosts.length - desired)) {
        swarm.kernels[h]!.unhost(SLOT);
        this.stopReplica(h);
      }
    }
  }

  /**
   * Where the HPA's new pod pulls its image from: the live nodes holding the spore nearest to t
   * (a central controller knows the topology, as a registry's nearest mirror would be).
   */
  private nearestHolders(t: number): number[] {
    const holders: number[] = [];
    for (let i = 0; i < this.n; i++) if (i !== t && !this.swarm.dead[i] && this.mirrors.holds(this.spore, i)) holders.push(i);
    const rtt = (i: number) => { const r = this.a.latency.rtt(t, i); return Number.isFinite(r) ? r : Infinity; };
    holders.sort((x, y) => rtt(x) - rtt(y) || x - y);
    return holders.slice(0, SPORE_MAX_HOLDERS).map((h) => this.swarm.ids[h]!);
  }

  /** Runs the scenario second by second, metering after each. */
  advance(): void {
    const { a } = this;
    let last = 0;
    for (let t = 1; t <= a.sc.durationS; t++) {
      this.swarm.runUntil(t * 1000);
      this.meter(t);
      if (t - last >= 10) {
        a.progress?.update(a.offset + t, `${a.controller}: ${this.samples[this.samples.length - 1]!.replicas} replicas`);
        last = t;
      }
    }
  }

  /** Where the replicas ended up: median over live clients of the RTT to their nearest replica. */
  private clientNearestRtt(): number | null {
    const nearest: number[] = [];
    const finalHosts = this.hostList();
    for (const c of this.clientNodes) {
      if (this.swarm.dead[c] || finalHosts.length === 0) continue;
      let best = Infinity;
      for (const h of finalHosts) best = Math.min(best, h === c ? 0 : this.a.latency.rtt(c, h));
      if (Number.isFinite(best)) nearest.push(best);
    }
    return nearest.length > 0 ? quantile(nearest.sort((x, y) => x - y), 0.5) : null;
  }

  private kernelTotals(): ControllerRun['kernel'] {
    let spawns = 0, retirements = 0, callsShed = 0, overloadFailovers = 0;
    for (const k of this.swarm.kernels) {
      spawns += k.stat('spawns');
      retirements += k.stat('retirements');
      callsShed += k.stat('callsShed');
      overloadFailovers += k.stat('overloadFailovers');
    }
    return { spawns, retirements, callsShed, overloadFailovers };
  }

  result(): ControllerRun {
    const { a, samples } = this;
    const b = a.cell.biology;
    // Requests still waiting at the end are neither failed nor timed: they are left out.
    const metrics = autoscalingMetrics({
      samples, requests: { latencyMs: this.latencyMs, unloadedMs: this.unloadedMs }, changeAtS: a.sc.changeAtS, cpuTarget: b.cpuTarget,
      minReplicas: b.minReplicas, endS: a.sc.durationS,
    });
    const p99 = latencyQuantileSeries(this.doneAtS, this.latencyMs, 10, a.sc.durationS, 0.99);
    const clientNearestRttMs = this.clientNearestRtt();
    const kernel = this.kernelTotals();
    const chosen = choiceQuality(a.latency, this.choices);
    // p99 series has one point per 10 s; the control series one per second: report both on the 10 s grid.
    const at = (arr: number[], tS: number) => arr[Math.min(arr.length - 1, Math.max(0, Math.round(tS) - 1))]!;
    return {
      source: CONTROLLER_SOURCE[a.controller],
      metrics,
      failedRequests: this.failed,
      series: {
        t: p99.t,
        replicas: p99.t.map((tS) => at(samples.map((s) => s.replicas), tS)),
        cpuShare: p99.t.map((tS) => at(samples.map((s) => s.meanCpuShare), tS)),
        p99LatencyMs: p99.value,
      },
      kernel,
      replicasLost: this.replicasLost,
      clientNearestRttMs,
      spores: this.mirrors.figures(this.spore),
      routing: { source: 'kernel routing', calls: this.choices.length, nearestHitRate: chosen.hitRate, medianStretch: chosen.stretchMedian, p90Stretch: chosen.stretchP90 },
    };
  }
}

/** `count` distinct random nodes that issue requests. */
function pickClients(rng: Rng, n: number, count: number): number[] {
  const clientNodes: number[] = [];
  const isClient = new Uint8Array(n);
  while (clientNodes.length < Math.min(count, n)) {
    const c = rng.int(n);
    if (!isClient[c]) { isClient[c] = 1; clientNodes.push(c); }
  }
  return clientNodes;
}
