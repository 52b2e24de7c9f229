// A host node: one firmware kernel, the cells it hosts, and its transports.
// Data flows one way: transport -> kernel (header, routing, call state) -> cell, and back.
import { KernelInstance, type KernelHal } from './kernel-instance.ts';
import type { SporeBytes, FetchRequest } from './spore-bytes.ts';
import { CellInstance } from './cell-instance.ts';
import { kernelResultName, type KernelConfigKey } from './kernel-stats.ts';
import type { Transport } from '../transport/transport.ts';
import { BROADCAST, HEADER_BYTES, MsgType, decodeHeader } from '../wire/header.ts';
import { CappedMap } from '../transport/capped-map.ts';
import { CELL_DEFERRED, KernelResult, MCU_PAGES, SPAWN_OK, SPAWN_UNTRUSTED, SPAWN_NO_ROOM, SPAWN_HOSTS_IT } from '../wire/protocol-table.ts';
import { CallRefused } from './call-refused.ts';

export { CallRefused };
import { inspectWasm } from '../build/inspect.ts';
import { speciesIdOf } from '../sdk/species.ts';
import type { CellSchema } from '../sdk/schema.ts';
import type { CellBiology } from '../build/cell-toml.ts';
import type { SpawnHost } from './spawn-host.ts';
import { decodeSpawnOffer, type SpawnOffer } from '../wire/spawn-payload.ts';
import { decodeManifest } from '../spore/manifest.ts';
import { randomBytes } from 'node:crypto';
import { ErrorCode, encodeErrorPayload } from '../wire/error-codes.ts';
import { CpuMeter } from './cpu-meter.ts';
import { CellStore } from '../store/cell-store.ts';
import { FairQueue, type Offer } from './fair-queue.ts';
import { sporeRunOf } from './spore-run.ts';
import { join } from 'node:path';

/** Instructions per second of boards/raspberry-pi-4.json: the default capacity of a host node. */
export const DEFAULT_CAPACITY = 200_000_000;
/** How often the hosted cells' shares reach the kernel (ms): its division period. */
const METER_PERIOD_MS = 1000;

export interface HostedCell {
  slot: number;
  name: string;
  speciesId: number;
  schema: CellSchema;
  instance: CellInstance;
  /** Its CPU share over the last window, as the kernel last heard it. */
  meter: CpuMeter;
}

/** A call to a proxied species (hostProxy), to be answered later with CellNode.answer. */
export interface ProxiedCall {
  src: number;
  species: number;
  seq: number;
  payload: Uint8Array;
}

/** A species this node announces and answers for another (a gateway's board): hostProxy. */
export interface Proxy {
  slot: number;
  species: number;
  /** Takes the call (answered later with CellNode.answer), or answers it now: a payload, an ERROR with `error`. */
  onCall: (call: ProxiedCall) => void | { payload: Uint8Array; error: boolean };
  /** The CPU share to announce for it (the board's own, as its gateway last heard it). */
  load: () => number;
}

export interface Answer {
  kind: 'reply' | 'error';
  /** Node that answered (0 for a local timeout). */
  src: number;
  payload: Uint8Array;
}

export interface CellNodeOptions {
  nodeId: number;
  kernelWasm: Uint8Array;
  transports?: Transport[];
  /** Kernel settings (keys: docs/abi.md; defaults: firmware/kernel/config.ts). */
  config?: Partial<Record<KernelConfigKey, number>>;
  /** Per-call instruction budget for hosted cells. */
  fuelPerCall?: number;
  /** Memory cap for hosted cells, in 64 KiB pages. */
  maxCellPages?: number;
  /**
   * Metered instructions per second this node can run (its board profile): each hosted cell's CPU
   * share is its metered work over this, in the simulator's 10 s window (cpu-meter.ts), handed to
   * the kernel every second for mitosis and pheromones. Default: boards/raspberry-pi-4.json's figure.
   */
  capacity?: number;
  /** The CPU share's window in ms (default 10,000, the simulator's). */
  meterWindowMs?: number;
  log?: (level: number, text: string) => void;
  /**
   * Node time in ms (monotonic; default: since the node started). Tests drive it to run the minutes
   * of mitosis' sustain and cool-down windows in seconds.
   */
  clock?: () => number;
  /**
   * Node time runs this many times faster than real time (default 1): every kernel timer (probes,
   * pheromones, call timeouts, mitosis' cool-downs) comes round that much sooner, and the CPU
   * meter's capacity is divided by it, so a load of R calls a real second reads as the same share.
   * Lets a test or a demo on real processes see minutes of mitosis in seconds (`cell run --time-scale`).
   */
  timeScale?: number;
  /** Mitosis between real nodes (SPAWN): the signed spores this node can offer, and the target-side checks. Without it hal.spawn answers "cannot". */
  spawns?: SpawnHost;
  /** A spawn offered to this node ended: the replica runs (cell), or why not. */
  onSpawned?: (from: number, result: { cell: HostedCell; fromCache: boolean } | { refused: string } | { failed: string }) => void;
  /** Apoptosis: the kernel retired this hosted cell (its slot is already freed). */
  onRetire?: (cell: HostedCell) => void;
  /** hal.log lines from hosted cells, with the cell's name. */
  cellLog?: (cell: string, level: number, text: string) => void;
  /** Rows in the node id -> transport table (default ROUTE_CAP). */
  routeCap?: number;
  /**
   * Where hosted cells keep their durable store (one log file per species, docs/abi.md, Store).
   * Without it a cell's store lives only as long as this process.
   */
  stateDir?: string;
  /** How long a call may wait for a place in the kernel's call table or a peer's window (ms). */
  queueDeadlineMs?: number;
  /** Calls that may wait at once; beyond it call() is refused with CALL_QUEUE_FULL. */
  maxQueuedCalls?: number;
  /** This node's key pair. With it the node authenticates every frame (docs/security.md); without it, it runs open. */
  identity?: { publicKey: Uint8Array; secretKey: Uint8Array };
  /** With an identity: also accept unauthenticated frames (lab LAN). */
  open?: boolean;
  /** Who may call which species (node-config.ts); species 0 = any. */
  access?: { listedOnly: boolean; rows: Array<{ publicKey: Uint8Array; species: number }> };
  /**
   * Extra milliseconds before each PONG leaves this node. A gateway sets its boards' serial-hop RTT
   * here, so the RTT its LAN peers measure, and so their Vivaldi coordinates, reach the board.
   */
  pongDelayMs?: () => number;
  /** The spore bytes this node serves and fetches into (docs/spores.md, Transfer); without it the node neither serves nor fetches. */
  spores?: SporeBytes;
}

/** Nodes whose transport is remembered at most (as the UDP address table); least recently used goes first. */
export const ROUTE_CAP = 4096;
/** Keys of nodes this one handshook with, kept for keyOf (a client checks who answered). */
const KEYS_KEPT = 256;

/** What `cell stats` shows of a node: the kernel's counters, the node's tables, each transport's own. */
export interface NodeStats {
  nodeId: number;
  uptimeMs: number;
  kernel: Record<string, number>;
  /** The kernel's fixed tables: rows, cap, rows given up to make room (docs/abi.md, k_table). */
  kernelTables: Record<string, { rows: number; cap: number; givenUp: number }>;
  /** node id -> transport: rows, cap, evictions; and frames sent on one transport or on all. */
  routes: { size: number; cap: number; evictions: number; routedOut: number; floodedOut: number };
  /** Calls in the kernel's table, and the client queue's counters (waiting, queued, refused offers, expired, overflowed). */
  calls: { pending: number } & CallQueueStats;
  cells: Array<{ name: string; speciesId: number } & Record<string, number | string>>;
  /** Cells the kernel retired here (apoptosis) since the node started. */
  retiredCells: number;
  transports: Array<{ name: string } & Record<string, unknown>>;
}

/** A call waiting in the client queue. */
interface QueuedCall {
  species: number;
  payload: Uint8Array;
  dst: number;
  queuedAt: number;
  resolve: (a: Answer) => void;
  reject: (e: Error) => void;
}

/** The client queue's counters (`cell stats`). */
export interface CallQueueStats {
  waiting: number;
  /** Calls that had to wait for a place. */
  queued: number;
  /** Offers the kernel refused while draining (at most one per destination per drain). */
  refusedOffers: number;
  /** Calls that reached their deadline while waiting: answered ERROR TIMEOUT. */
  expired: number;
  /** Calls refused because maxQueuedCalls were already waiting. */
  overflowed: number;
}

export class CellNode {
  readonly nodeId: number;
  readonly kernel: KernelInstance;
  readonly cells = new Map<number, HostedCell>();
  readonly proxies = new Map<number, Proxy>();
  private readonly transports: Transport[];
  // Which transport each node was last heard on: a frame for it goes out there only.
  private readonly routes: CappedMap<number, Transport>;
  /** Species whose spawn this node accepted and has not finished (fetching, verifying, starting). */
  private readonly spawning = new Set<number>();
  private routedOut = 0;
  private floodedOut = 0;
  private readonly cellLog: CellNodeOptions['cellLog'];
  private readonly onRetire: CellNodeOptions['onRetire'];
  private readonly onSpawned: CellNodeOptions['onSpawned'];
  readonly spawns: SpawnHost | undefined;
  private lastLoad = 0;
  /** Cells the kernel retired on this node (apoptosis). */
  retiredCells = 0;
  private readonly pending = new Map<number, (a: Answer) => void>();
  private timer: NodeJS.Timeout | undefined;
  private nextSlot = 1;
  private closed = false;
  private readonly t0 = performance.now();
  private readonly clock: (() => number) | undefined;
  private readonly timeScale: number;
  private readonly fuelPerCall: number;
  private readonly maxCellPages: number;
  readonly capacity: number;
  private readonly meterWindowMs: number | undefined;
  private nextMeter = 0;
  private readonly stateDir: string | undefined;
  private readonly queue = new FairQueue<QueuedCall>();
  private readonly queueDeadlineMs: number;
  private readonly maxQueuedCalls: number;
  private drainScheduled = false;
  readonly queueStats: CallQueueStats = { waiting: 0, queued: 0, refusedOffers: 0, expired: 0, overflowed: 0 };
  /** One store per species: replicas of a species on this node share it. */
  private readonly stores = new Map<number, CellStore>();
  private readonly spores: SporeBytes | undefined;
  private readonly pongDelayMs: (() => number) | undefined;

  private constructor(opts: CellNodeOptions, module: WebAssembly.Module) {
    this.nodeId = opts.nodeId >>> 0;
    this.transports = opts.transports ?? [];
    this.routes = new CappedMap(opts.routeCap ?? ROUTE_CAP);
    this.cellLog = opts.cellLog;
    this.onRetire = opts.onRetire;
    this.clock = opts.clock;
    this.timeScale = opts.timeScale ?? 1;
    if (!(Number.isFinite(this.timeScale) && this.timeScale > 0)) throw new RangeError(`timeScale must be a positive number, got ${opts.timeScale}`);
    this.spawns = opts.spawns;
    this.onSpawned = opts.onSpawned;
    this.fuelPerCall = opts.fuelPerCall ?? 10_000_000;
    this.maxCellPages = opts.maxCellPages ?? MCU_PAGES;
    this.capacity = opts.capacity ?? DEFAULT_CAPACITY;
    this.meterWindowMs = opts.meterWindowMs;
    this.stateDir = opts.stateDir;
    this.pongDelayMs = opts.pongDelayMs;
    this.queueDeadlineMs = opts.queueDeadlineMs ?? 10_000;
    this.maxQueuedCalls = opts.maxQueuedCalls ?? 4096;
    if (!(Number.isFinite(this.capacity) && this.capacity > 0)) throw new RangeError(`capacity must be a positive number of instructions per second, got ${opts.capacity}`);
    const hal: KernelHal = {
      send: (frame) => this.transmit(frame),
      now: () => this.now(),
      random: () => randomBytes(4).readUInt32LE(0),
      cellCall: (slot, input, out) => this.runCell(slot, input, out),
      deliver: (kind, seq, src, payload) => this.deliver(kind, seq, src, payload),
      log: opts.log,
      retire: (slot) => this.retired(slot),
      spawn: (species, target) => this.spawnTo(species, target),
      identity: opts.identity,
      spores: opts.spores,
    };
    this.kernel = KernelInstance.instantiate(module, hal);
    this.spores = opts.spores;
    this.spores?.attach(this.kernel);
    // Spore chunks per frame: what every transport of this node carries (a setting in config wins).
    this.kernel.configure('sporeRun', sporeRunOf(this.transports));
    for (const [k, v] of Object.entries(opts.config ?? {})) this.kernel.configure(k as KernelConfigKey, v);
    if (opts.open) this.kernel.configure('open', 1);
    if (opts.access) {
      this.kernel.setAccess(opts.access.rows);
      this.kernel.configure('accessListedOnly', opts.access.listedOnly ? 1 : 0);
    }
    this.kernel.init(this.nodeId, this.now());
    for (const t of this.transports) t.onFrame((frame) => this.receive(frame, t));
  }

  static async create(opts: CellNodeOptions): Promise<CellNode> {
    const node = new CellNode(opts, await KernelInstance.compile(opts.kernelWasm));
    node.schedule(0);
    return node;
  }

  /** Milliseconds since this node started (monotonic). */
  now(): number {
    return this.clock ? this.clock() : (performance.now() - this.t0) * this.timeScale;
  }

  /** Hosts a built cell (.wasm with its `cell.schema` section); returns its record. */
  async host(wasm: Uint8Array): Promise<HostedCell> {
    const facts = inspectWasm(wasm);
    if (!facts.schema) throw new Error('this .wasm has no cell.schema section: build it with `cell build`');
    const schema = facts.schema as CellSchema;
    const speciesId = speciesIdOf(schema);
    const cellLog = this.cellLog;
    const onLog = cellLog ? (level: number, text: string) => cellLog(schema.name, level, text) : undefined;
    const instance = await CellInstance.load(wasm, { maxPages: this.maxCellPages, fuelPerCall: this.fuelPerCall, onLog, store: this.storeFor(schema.name, speciesId) });
    const slot = this.nextSlot++;
    this.kernel.host(slot, speciesId);
    const cell: HostedCell = { slot, name: schema.name, speciesId, schema, instance, meter: new CpuMeter({ capacity: this.capacity / this.timeScale, windowMs: this.meterWindowMs }) };
    this.cells.set(slot, cell);
    // Every node is a mirror: the code it runs, it serves.
    this.spores?.serve(wasm);
    return cell;
  }

  private storeFor(name: string, speciesId: number): CellStore {
    let store = this.stores.get(speciesId);
    if (!store) {
      const file = `${name}-${speciesId.toString(16).padStart(8, '0')}.store`;
      store = this.stateDir === undefined ? CellStore.inMemory() : CellStore.open(join(this.stateDir, file));
      this.stores.set(speciesId, store);
    }
    return store;
  }

  /**
   * Gives the cell in `slot` its [cell.biology] (cell.toml or the spore's signed manifest): from now
   * on its kernel divides and retires it on its own.
   */
  setBiology(slot: number, biology: CellBiology): void {
    this.kernel.policy(slot, { cpuTarget: biology.cpu_target, minReplicas: biology.min_replicas, maxReplicas: biology.max_replicas });
  }

  /**
   * hal.retire: the kernel already unhosted `slot`, so new calls to the species get UNKNOWN_SPECIES
   * (or route to a sibling) and announcements stop listing it. A call cannot be in flight here:
   * the kernel runs a cell call to its end before its next division round (one thread). The
   * instance is dropped; the species' store stays open for a replica hosted here again.
   */
  private retired(slot: number): void {
    const cell = this.cells.get(slot);
    if (!cell) return;
    this.cells.delete(slot);
    this.retiredCells++;
    this.onRetire?.(cell);
  }

  /** hal.spawn (also called directly by tests and the bench): offers `target` a replica of `species`; 0 when an offer goes out, -1 if this node holds no signed spore of it. */
  spawnTo(species: number, target: number): number {
    const offer = this.spawns?.offerFor(species);
    if (!offer) return -1;
    // Sent after the division round returns: the kernel is mid-tick.
    queueMicrotask(() => {
      if (!this.closed) this.kernel.spawnOffer(target, species, offer);
    });
    return 0;
  }

  /** A SPAWN offer from a verified key that the kernel's caps let through. */
  private async spawnOffered(seq: number, src: number, payload: Uint8Array): Promise<void> {
    const spawns = this.spawns;
    let offer: SpawnOffer;
    try {
      offer = decodeSpawnOffer(payload);
    } catch (e) {
      this.kernel.spawnAnswer(src, 0, seq, SPAWN_UNTRUSTED);
      this.onSpawned?.(src, { refused: (e as Error).message });
      return;
    }
    if (!spawns) {
      this.kernel.spawnAnswer(src, 0, seq, SPAWN_NO_ROOM);
      this.onSpawned?.(src, { refused: 'this node hosts no spawned cells (no trust configured)' });
      return;
    }
    const species = decodeSpeciesOf(offer);
    const hosted = [...this.cells.values()].some((c) => c.speciesId === species);
    // A replica of it already starting here (another node's offer, its fetch still running) counts
    // as hosted: two offers in one fetch's time must not start two replicas on one node.
    const v = hosted || this.spawning.has(species)
      ? { reason: SPAWN_HOSTS_IT, detail: hosted ? 'already hosted here' : 'a replica of it is already starting here' }
      : spawns.admit(species, offer, { hostedCells: this.cells.size, load: this.lastLoad });
    this.kernel.spawnAnswer(src, species, seq, v.reason);
    if (v.reason !== SPAWN_OK || !('manifest' in v) || !v.manifest) {
      this.onSpawned?.(src, { refused: v.detail });
      return;
    }
    this.spawning.add(species);
    try {
      const got = await spawns.fetchVerified(offer, v.manifest, () => this.fetchSpore({ species, hash: offer.hash, root: offer.root, size: offer.size, hints: [src] }),
        () => this.spores?.received(offer.hash) ?? 0);
      if (this.closed) return;
      const cell = await this.host(got.module);
      this.setBiology(cell.slot, got.manifest.biology);
      spawns.remember(species, { manifestBytes: offer.manifest, signature: offer.signature, module: got.module });
      this.onSpawned?.(src, { cell, fromCache: got.fromCache });
    } catch (e) {
      this.onSpawned?.(src, { failed: (e as Error).message });
    } finally {
      this.spawning.delete(species);
      if (!this.closed) this.kernel.spawnDone();
    }
  }

  unhost(slot: number): void {
    this.kernel.unhost(slot);
    this.cells.delete(slot);
    this.proxies.delete(slot);
  }

  /**
   * Announces and answers `species` for something else (a gateway's board, host/gateway): each call
   * goes to `onCall`, and is answered later with answer(). Its retransmissions meanwhile run nothing
   * (docs/abi.md, Deferred answers). Returns the slot (unhost() ends it).
   */
  hostProxy(species: number, onCall: Proxy['onCall'], load: () => number = () => 0): Proxy {
    const slot = this.nextSlot++;
    this.kernel.host(slot, species);
    const proxy: Proxy = { slot, species, onCall, load };
    this.proxies.set(slot, proxy);
    return proxy;
  }

  /** Answers a proxied call: a REPLY payload, or with `error` an ERROR payload; 0, or -NOT_PENDING when nobody waits for it. */
  answer(call: ProxiedCall, payload: Uint8Array, error = false): number {
    return this.kernel.answer(call.src, call.species, call.seq, payload, error);
  }

  /**
   * Calls `species` with a CBOR CALL payload; resolves with the REPLY or ERROR payload. A call the
   * kernel cannot take yet (call table or peer window full) waits in the fair queue, up to
   * queueDeadlineMs, and is answered ERROR TIMEOUT if no place frees up by then.
   */
  call(species: number, payload: Uint8Array, dst = 0): Promise<Answer> {
    if (this.closed) return Promise.reject(new Error('node is closed'));
    return new Promise((resolve, reject) => {
      const q: QueuedCall = { species, payload, dst, queuedAt: this.now(), resolve, reject };
      // Behind calls already waiting, so a newcomer does not take the place they wait for.
      if (this.queue.size === 0 && this.offer(q) === 'sent') return;
      if (this.queue.size >= this.maxQueuedCalls) {
        this.queueStats.overflowed++;
        reject(new CallRefused('CALL_QUEUE_FULL'));
        return;
      }
      this.queue.push(`${dst}:${species}`, q, q.queuedAt + this.queueDeadlineMs);
      this.queueStats.queued++;
      this.queueStats.waiting = this.queue.size;
      this.scheduleBy(this.queue.nextDeadline());
    });
  }

  /** Hands one call to the kernel: 'sent' (or settled), 'busy' (its peer window is full), 'full' (the call table is). */
  private offer(q: QueuedCall): Offer {
    const seq = this.kernel.call(q.dst, q.species, q.payload);
    if (seq === -KernelResult.PEER_BUSY) return 'busy';
    if (seq === -KernelResult.CALL_TABLE_FULL) return 'full';
    if (seq < 0) {
      q.reject(new CallRefused(kernelResultName(-seq)));
      return 'sent';
    }
    // The kernel may already have answered (a local replica): deliver() then stored it below.
    const early = this.early.get(seq);
    if (early) {
      this.early.delete(seq);
      q.resolve(early);
      return 'sent';
    }
    // The call's deadline may be sooner than the next tick the kernel asked for before it.
    this.scheduleBy(this.kernel.nextWake);
    this.pending.set(seq, q.resolve);
    return 'sent';
  }

  /** Offers waiting calls to the kernel, round-robin over destinations, once a place may have freed up. */
  private drainQueue(): void {
    this.drainScheduled = false;
    if (this.closed || this.queue.size === 0) return;
    this.queue.drain((_key, q) => {
      const r = this.offer(q);
      if (r !== 'sent') this.queueStats.refusedOffers++;
      return r;
    });
    this.queueStats.waiting = this.queue.size;
  }

  /** Answers ERROR TIMEOUT to waiting calls past their deadline. */
  private expireQueue(now: number): void {
    for (const q of this.queue.expire(now)) {
      this.queueStats.expired++;
      const waited = Math.round(now - q.queuedAt);
      q.resolve({ kind: 'error', src: 0, payload: encodeErrorPayload(ErrorCode.TIMEOUT, `timeout: waited ${waited} ms for a place among the calls in flight`) });
    }
    this.queueStats.waiting = this.queue.size;
  }

  private readonly early = new Map<number, Answer>();

  private readonly welcomes: Array<(nodeId: number) => void> = [];
  /** The key each WELCOME was signed with, by node id (the kernel verified it); the most recent KEYS_KEPT. */
  private readonly welcomeKeys = new CappedMap<number, Uint8Array>(KEYS_KEPT);

  /**
   * Opens a session with `dst` (0: whichever node the transports reach, e.g. a --peer address) and
   * resolves with the node id whose key signed the answer. Call that id afterwards: only it may answer.
   */
  handshake(dst = 0, timeoutMs = 2000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.welcomes.indexOf(done);
        if (i >= 0) this.welcomes.splice(i, 1);
        reject(new Error(`no WELCOME within ${timeoutMs} ms (is the node running, and does it have a key?)`));
      }, timeoutMs);
      const done = (id: number) => {
        clearTimeout(timer);
        resolve(id);
      };
      this.welcomes.push(done);
      if (!this.kernel.hello(dst)) {
        clearTimeout(timer);
        this.welcomes.splice(this.welcomes.indexOf(done), 1);
        reject(new Error('the kernel sent no HELLO (no identity, or one went less than rekeyMinMs ago)'));
      }
    });
  }

  /** The ed25519 key node `nodeId` signed its WELCOME with, if this node handshook with it. */
  keyOf(nodeId: number): Uint8Array | undefined {
    return this.welcomeKeys.get(nodeId);
  }

  addPeer(nodeId: number): void {
    this.kernel.addPeer(nodeId);
  }

  /** Fetches a module through the kernel (docs/spores.md, Transfer): the exact module, or a SporeFetchError. */
  fetchSpore(req: FetchRequest): Promise<Uint8Array> {
    if (!this.spores) return Promise.reject(new Error('this node was created without spores'));
    const p = this.spores.fetch(req);
    this.scheduleBy(this.kernel.nextWake);
    return p;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.all(this.transports.map((t) => t.close()));
    for (const store of this.stores.values()) store.close();
  }

  private receive(frame: Uint8Array, from: Transport): void {
    if (this.closed) return;
    // Learned before the kernel runs: its answer goes out from inside onFrame.
    if (this.transports.length > 1 && frame.length >= HEADER_BYTES) {
      const src = (frame[4]! | (frame[5]! << 8) | (frame[6]! << 16) | (frame[7]! << 24)) >>> 0;
      if (src !== 0 && src !== BROADCAST && this.routes.get(src) !== from) this.routes.set(src, from);
    }
    this.kernel.onFrame(frame);
  }

  private transmit(frame: Uint8Array): void {
    // A copy: `frame` is kernel memory, rewritten by the next frame before an async send runs.
    // Buffer.from takes small copies from Node's pool, cheaper than a fresh ArrayBuffer per frame.
    const copy = Buffer.from(frame);
    const delay = this.pongDelayMs && copy.length >= HEADER_BYTES && copy[2] === MsgType.PONG ? this.pongDelayMs() : 0;
    if (delay > 0) {
      this.sendAfter(copy, performance.now() + delay);
      return;
    }
    this.send(copy);
  }

  /** Sends `copy` once performance.now() reaches `due`: a timer may fire up to a millisecond early
   *  (libuv counts whole milliseconds), and a held PONG must be held the whole time. */
  private sendAfter(copy: Buffer, due: number): void {
    const left = due - performance.now();
    if (left > 0) setTimeout(() => this.closed || this.sendAfter(copy, due), left).unref();
    else this.send(copy);
  }

  private send(copy: Buffer): void {
    // A frame for a node heard on one transport goes out there only; broadcasts, "any host"
    // (dst 0) and nodes never heard go out on every transport.
    const dst = copy.length >= HEADER_BYTES ? copy.readUInt32LE(8) : 0;
    const route = dst !== 0 && dst !== BROADCAST && this.transports.length > 1 ? this.routes.get(dst) : undefined;
    if (route) {
      this.routedOut++;
      route.send(copy);
      return;
    }
    this.floodedOut++;
    for (const t of this.transports) t.send(copy);
  }

  /** The kernel's counters and the node's and transports' tables, for `cell stats`. */
  stats(): NodeStats {
    return {
      nodeId: this.nodeId,
      uptimeMs: Math.round(this.now()),
      kernel: this.kernel.stats(),
      kernelTables: this.kernel.tables(),
      routes: { ...this.routes.stats, routedOut: this.routedOut, floodedOut: this.floodedOut },
      calls: { pending: this.pending.size, ...this.queueStats },
      cells: [...this.cells.values()].map((c) => ({ name: c.name, speciesId: c.speciesId, slot: c.slot, ...c.instance.stats })),
      retiredCells: this.retiredCells,
      transports: this.transports.map((t) => ({ ...t.stats, name: t.name })),
    };
  }

  private runCell(slot: number, input: Uint8Array, out: Uint8Array): number {
    const proxy = this.proxies.get(slot);
    if (proxy) {
      // The CALL's header is the 20 bytes before its payload in kernel memory (docs/abi.md).
      const h = decodeHeader(new Uint8Array(input.buffer, input.byteOffset - HEADER_BYTES, HEADER_BYTES + input.length));
      const now = proxy.onCall({ src: h.src, species: h.species, seq: h.seq, payload: input.slice() });
      if (!now) return -CELL_DEFERRED;
      const n = Math.min(now.payload.length, out.length);
      out.set(now.payload.subarray(0, n));
      return now.error ? -n : n;
    }
    const cell = this.cells.get(slot);
    if (!cell) {
      // Unhosted between routing and running: answer as the kernel would for an unknown species.
      const err = encodeErrorPayload(ErrorCode.UNKNOWN_SPECIES, 'unknown species (cell was unhosted)');
      out.set(err.subarray(0, out.length));
      return -Math.min(err.length, out.length);
    }
    const start = this.now();
    const before = cell.instance.stats.fuelTotal;
    const n = cell.instance.handleInto(input, out);
    cell.meter.record(start, cell.instance.stats.fuelTotal - before);
    return n;
  }

  /**
   * Each hosted cell's CPU share to the kernel (mitosis), and their sum as this node's load
   * (pheromones). The node does this every second by itself; returns the sum.
   */
  reportLoad(now = this.now()): number {
    let total = 0;
    for (const cell of this.cells.values()) {
      const share = cell.meter.share(now);
      this.kernel.cellLoad(cell.slot, share);
      total += share;
    }
    for (const proxy of this.proxies.values()) {
      const share = Math.min(1, Math.max(0, proxy.load()));
      this.kernel.cellLoad(proxy.slot, share);
      total += share;
    }
    // Spare is room for others' cells: a node that cannot start a replica (no SpawnHost, or one
    // that trusts nobody: a client, a gateway) announces none, so no division round picks it.
    this.kernel.setLoad(total, this.spawns?.takesSpawns ? Math.max(0, 1 - total) : 0);
    this.lastLoad = total;
    return total;
  }

  private deliver(kind: number, seq: number, src: number, payload: Uint8Array): void {
    if (kind === MsgType.SPAWN) {
      // Answered after the kernel's frame handling returns: the answer is a frame of its own.
      const offer = payload.slice();
      queueMicrotask(() => void this.spawnOffered(seq, src, offer));
      return;
    }
    if (kind === MsgType.WELCOME) {
      this.welcomeKeys.set(src, payload.slice());
      this.welcomes.splice(0).forEach((done) => done(src));
      return;
    }
    const answer: Answer = { kind: kind === MsgType.REPLY ? 'reply' : 'error', src, payload: payload.slice() };
    const resolve = this.pending.get(seq);
    if (resolve) {
      this.pending.delete(seq);
      resolve(answer);
    } else {
      this.early.set(seq, answer);
    }
    // An answer frees a place in the kernel's table and window: offer waiting calls (later, not
    // from inside the kernel's deliver, and once for all the answers of this turn).
    if (this.queue.size > 0 && !this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => this.drainQueue());
    }
  }

  private timerAt = Infinity;

  private schedule(delayMs: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = this.now() + Math.max(0, delayMs);
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, delayMs) / this.timeScale);
  }

  /** Makes sure the kernel is ticked no later than `at` (node time, ms); cheap when it already is. */
  private scheduleBy(at: number): void {
    if (at < this.timerAt) this.schedule(at - this.now());
  }

  private onTimer(): void {
    if (this.closed) return;
    this.timerAt = Infinity;
    const now = this.now();
    if (now >= this.nextMeter) {
      this.reportLoad(now);
      this.nextMeter = now + METER_PERIOD_MS;
    }
    const next = this.kernel.tick(now);
    this.expireQueue(this.now());
    // The kernel says when it next needs time; cap the wait so settings changes take effect.
    const wake = Math.min(next, this.queue.nextDeadline());
    this.schedule(Number.isFinite(wake) ? Math.min(1000, wake - this.now()) : 1000);
  }
}

/** The species an offer's manifest names (0 if it does not decode: admit() refuses it then). */
function decodeSpeciesOf(offer: SpawnOffer): number {
  try {
    return decodeManifest(offer.manifest).speciesId >>> 0;
  } catch {
    return 0;
  }
}
