// N real firmware kernels in one process, a virtual clock, and a latency model between them.
// The simulator is just another transport plus a clock: each kernel gets the same HAL a board
// gives it (send, now, random), frames become delivery events, and time jumps from event to event.
import { KernelInstance, type KernelHal, type SporeHal } from '../host/runtime/kernel-instance.ts';
import { MsgType } from '../host/wire/header.ts';
import type { KernelConfigKey } from '../host/runtime/kernel-stats.ts';
import { EventQueue } from './event-queue.ts';
import { Rng, hash3 } from './rng.ts';
import type { LatencyModel } from './latency/model.ts';
import { ChaosLayer, type ChaosHost } from './chaos/chaos-layer.ts';
import { hasChaos, type ChaosOptions } from './chaos/chaos-options.ts';

const EV_TICK = 1;
const EV_DELIVER = 2;
const EV_CALLBACK = 3;
const BROADCAST = 0xffffffff;

/** What a scenario adds to the bare swarm: hosted cells, clients, controllers (simulator/mitosis). */
export interface SwarmHooks {
  /** A kernel runs the cell in `slot` (returns the signed length of docs/abi.md). */
  cellCall?(node: number, slot: number, input: Uint8Array, out: Uint8Array): number;
  /** A kernel hands its application the answer to a call. */
  deliver?(node: number, kind: number, seq: number, src: number, payload: Uint8Array): void;
  spawn?(node: number, species: number, target: number): number;
  retire?(node: number, slot: number): void;
  /** Which nodes a broadcast from `node` reaches (none: there is no multicast across the Internet). */
  broadcast?(node: number, frame: Uint8Array): readonly number[];
  /** Every frame a kernel sends, as it leaves (what the kernel decided: a CALL's dst is its routing choice). */
  sent?(node: number, frame: Uint8Array): void;
  /** Node `node` was rebooted as a fresh kernel (chaos churn): what its old kernel was doing is gone. */
  restarted?(node: number): void;
}

export interface SwarmConfig {
  /** The compiled firmware kernel (compile once, instantiate per node). */
  kernel: WebAssembly.Module;
  latency: LatencyModel;
  seed: number;
  /** How many random node ids each node is told at start (what a DHT bootstrap would give it). */
  bootstrap?: number;
  /** Kernel settings applied to every node. */
  kernelConfig?: Partial<Record<KernelConfigKey, number>>;
  hooks?: SwarmHooks;
  /** Spikes, partitions, churn, slow nodes, forgers (simulator/chaos); none: the calm transport. */
  chaos?: ChaosOptions;
  /** The spore bytes each node holds and serves (simulator/spores); none: no node serves or fetches. */
  spores?: { halFor(node: number): SporeHal };
  /**
   * Each node's uplink for spore chunks (SPORE_DATA), bytes per virtual ms: a chunk leaves once
   * the chunks before it have been sent. Unset: frames have only the latency model's delay.
   */
  sporeUplinkBytesPerMs?: number;
}

export interface SwarmCounters {
  events: number;
  ticks: number;
  framesSent: number;
  framesDelivered: number;
  framesLost: number;
  /** Frames to a node id no simulated node has, or to "any host" (dst 0), which a WAN cannot resolve. */
  framesUnroutable: number;
  /** Broadcasts: there is no multicast domain across the simulated Internet. */
  framesBroadcastDropped: number;
  /** Frames a kernel refused (bad header, not for it, bad payload), summed over nodes. */
  framesRejected: number;
  /** Frames sent to, or from, a node that had failed. */
  framesToDead: number;
}

/** The dst field of a frame's header (docs/wire.md: u32 little-endian at byte 8). */
export function frameDst(frame: Uint8Array): number {
  return (frame[8]! | (frame[9]! << 8) | (frame[10]! << 16) | (frame[11]! << 24)) >>> 0;
}

export class Swarm implements ChaosHost {
  readonly size: number;
  readonly kernels: KernelInstance[] = [];
  /** Node id of node i (derived from the seed, unique, never 0 or broadcast). */
  readonly ids: Uint32Array;
  readonly counters: SwarmCounters = {
    events: 0, ticks: 0, framesSent: 0, framesDelivered: 0, framesLost: 0, framesUnroutable: 0, framesBroadcastDropped: 0, framesRejected: 0, framesToDead: 0,
  };
  /** Virtual time in ms. */
  now = 0;
  /** 1 for a node that has failed: it neither ticks nor receives. */
  readonly dead: Uint8Array;
  /**
   * Extra delay for the next frame a kernel sends, set by a cellCall hook: a reply leaves after
   * the request has waited in the node's queue and been served.
   */
  extraDelayMs = 0;
  /** The chaos applied to frames, ticks and membership; undefined on a calm run (the hot paths test only this). */
  readonly chaos: ChaosLayer | undefined;
  /** Bumped when a node restarts, so the ticks of its previous kernel are dropped. */
  private readonly generation: Int32Array;
  private readonly module: WebAssembly.Module;
  private readonly kernelConfig: Partial<Record<KernelConfigKey, number>>;
  private readonly bootstrap: number;
  private readonly hooks: SwarmHooks;
  private readonly callbacks: Array<(() => void) | null> = [];
  private readonly freeCallbacks: number[] = [];
  private readonly index = new Map<number, number>();
  private readonly queue = new EventQueue(1 << 16);
  private readonly rng: Rng;
  private readonly latency: LatencyModel;
  // Frames in flight live here; an event carries the slot number.
  private readonly frames: Array<Uint8Array | null> = [];
  private readonly freeSlots: number[] = [];
  private readonly spores: SwarmConfig['spores'];
  private readonly uplinkBytesPerMs: number;
  /** When each node's uplink is free again (spore chunks queue behind each other). */
  private readonly uplinkFreeAt: Float64Array;

  constructor(cfg: SwarmConfig) {
    this.latency = cfg.latency;
    this.size = cfg.latency.size;
    this.rng = new Rng(cfg.seed, 1);
    this.hooks = cfg.hooks ?? {};
    this.dead = new Uint8Array(this.size);
    this.generation = new Int32Array(this.size);
    this.module = cfg.kernel;
    this.kernelConfig = cfg.kernelConfig ?? {};
    this.spores = cfg.spores;
    this.uplinkBytesPerMs = cfg.sporeUplinkBytesPerMs ?? Infinity;
    if (!(this.uplinkBytesPerMs > 0)) throw new RangeError(`sporeUplinkBytesPerMs must be > 0, got ${cfg.sporeUplinkBytesPerMs}`);
    this.uplinkFreeAt = new Float64Array(Number.isFinite(this.uplinkBytesPerMs) ? this.size : 0);
    this.ids = new Uint32Array(this.size);
    for (let i = 0; i < this.size; i++) {
      let id = hash3(cfg.seed, i, 0x6e6f6465) >>> 0;
      while (id === 0 || id === BROADCAST || this.index.has(id)) id = (id + 1) >>> 0;
      this.ids[i] = id;
      this.index.set(id, i);
    }
    for (let i = 0; i < this.size; i++) this.kernels.push(this.newKernel(i));
    this.bootstrap = Math.min(cfg.bootstrap ?? 4, this.size - 1);
    for (let i = 0; i < this.size; i++) this.boot(i);
    // Built last: it schedules churn on the queue and draws from its own stream only.
    this.chaos = hasChaos(cfg.chaos) ? new ChaosLayer(cfg.chaos, cfg.seed, this) : undefined;
  }

  private newKernel(i: number): KernelInstance {
    const k = KernelInstance.instantiate(this.module, this.halFor(i));
    for (const [key, v] of Object.entries(this.kernelConfig)) k.configure(key as KernelConfigKey, v);
    return k;
  }

  /** Starts node i's kernel at the current time: its id, a few bootstrap peers, a first tick. */
  private boot(i: number): void {
    this.kernels[i]!.init(this.ids[i]!, this.now);
    for (let b = 0; b < this.bootstrap; b++) {
      let j = this.rng.int(this.size);
      if (j === i) j = (j + 1) % this.size;
      this.kernels[i]!.addPeer(this.ids[j]!);
    }
    this.queue.push(this.now, EV_TICK, i, this.generation[i]!);
  }

  /** Node index of a node id, or -1. */
  indexOf(id: number): number {
    return this.index.get(id >>> 0) ?? -1;
  }

  /** Processes every event up to and including virtual time `until` (ms). */
  runUntil(until: number): void {
    const q = this.queue;
    const kernels = this.kernels;
    while (q.size > 0 && q.peekTime() <= until) {
      q.pop();
      this.now = q.time;
      this.counters.events++;
      const node = q.a;
      if (q.kind === EV_CALLBACK) {
        const fn = this.callbacks[node]!;
        this.callbacks[node] = null;
        this.freeCallbacks.push(node);
        fn();
      } else if (this.dead[node]) {
        // A failed node: its ticks stop and frames to it vanish.
        if (q.kind === EV_DELIVER) this.releaseFrame(q.b, true);
      } else if (q.kind === EV_TICK) {
        const gen = q.b;
        if (gen !== this.generation[node]) continue; // the tick chain of a kernel that was restarted
        this.counters.ticks++;
        const next = kernels[node]!.tick(this.now);
        // A kernel with nothing scheduled is still woken once a second, as a board's idle loop would.
        let at = Number.isFinite(next) ? Math.max(next, this.now + 1) : this.now + 1000;
        if (this.chaos !== undefined) at = this.chaos.tickAt(node, this.now, at);
        q.push(at, EV_TICK, node, gen);
      } else {
        const frame = this.releaseFrame(q.b, false);
        this.counters.framesDelivered++;
        if (kernels[node]!.onFrame(frame) < 0) this.counters.framesRejected++;
      }
    }
    this.now = until;
  }

  /** Runs `fn` at virtual time `atMs` (deterministic: same time, same order as scheduled). */
  at(atMs: number, fn: () => void): void {
    const slot = this.freeCallbacks.length > 0 ? this.freeCallbacks.pop()! : this.callbacks.length;
    this.callbacks[slot] = fn;
    this.queue.push(Math.max(atMs, this.now), EV_CALLBACK, slot, 0);
  }

  /** Fails node i at once (a power cut): it stops ticking and receiving. */
  kill(i: number): void {
    this.dead[i] = 1;
  }

  /** Brings node i back as a fresh kernel with the same id (a reboot: its state is gone). */
  restart(i: number): void {
    this.generation[i]!++;
    this.dead[i] = 0;
    this.kernels[i] = this.newKernel(i);
    this.boot(i);
    this.hooks.restarted?.(i);
  }

  /** The simulator's random stream (one stream keeps a run deterministic). */
  get random(): Rng {
    return this.rng;
  }

  private releaseFrame(slot: number, toDead: boolean): Uint8Array {
    const frame = this.frames[slot]!;
    this.frames[slot] = null;
    this.freeSlots.push(slot);
    if (toDead) this.counters.framesToDead++;
    return frame;
  }

  private halFor(i: number): KernelHal {
    const h = this.hooks;
    return {
      send: (frame) => this.send(i, frame),
      now: () => this.now,
      random: () => this.rng.u32(),
      cellCall: (slot, input, out) => {
        // Without a hook no simulated node hosts a cell, so the kernel has no slot to run.
        if (!h.cellCall) throw new Error(`simulated node ${i} was asked to run cell slot ${slot}, but hosts none`);
        return h.cellCall(i, slot, input, out);
      },
      deliver: (kind, seq, src, payload) => h.deliver?.(i, kind, seq, src, payload),
      spawn: (species, target) => (h.spawn ? h.spawn(i, species, target) : -1),
      retire: (slot) => h.retire?.(i, slot),
      spores: this.spores?.halFor(i),
    };
  }

  private send(from: number, sent: Uint8Array): void {
    this.counters.framesSent++;
    let frame = sent;
    if (this.chaos !== undefined) {
      const out = this.chaos.outgoing(from, sent);
      if (out === null) return;
      frame = out;
    }
    this.hooks.sent?.(from, frame);
    let extra = this.extraDelayMs;
    this.extraDelayMs = 0;
    if (frame[2] === MsgType.SPORE_DATA && this.uplinkFreeAt.length > 0) extra += this.serialise(from, frame.length);
    const dst = frameDst(frame);
    if (dst === BROADCAST) {
      const reach = this.hooks.broadcast?.(from, frame);
      if (!reach || reach.length === 0) {
        this.counters.framesBroadcastDropped++;
        return;
      }
      for (const to of reach) if (to !== from) this.post(from, to, frame, extra);
      this.chaos?.broadcastHeard(from, frame, reach);
      return;
    }
    const to = this.index.get(dst);
    if (to === undefined) {
      this.counters.framesUnroutable++;
      return;
    }
    this.post(from, to, frame, extra);
  }

  /** Queues `bytes` on node from's uplink; returns how long after now they have all left. */
  private serialise(from: number, bytes: number): number {
    const start = Math.max(this.now, this.uplinkFreeAt[from]!);
    this.uplinkFreeAt[from] = start + bytes / this.uplinkBytesPerMs;
    return this.uplinkFreeAt[from]! - this.now;
  }

  /** Puts a frame in flight from `from` to `to` (or counts it lost). */
  post(from: number, to: number, frame: Uint8Array, extraMs: number): void {
    let delay = this.latency.oneWay(from, to, this.rng);
    if (delay < 0) {
      this.counters.framesLost++;
      return;
    }
    if (this.chaos !== undefined) {
      delay = this.chaos.delay(from, to, this.now, delay);
      if (delay < 0) return;
    }
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.frames.length;
    this.frames[slot] = frame.slice();
    this.queue.push(this.now + extraMs + delay, EV_DELIVER, to, slot);
  }
}
