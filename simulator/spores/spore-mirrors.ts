// The spore bytes of a simulated swarm (docs/simulator.md, Spores): the host half of the
// kernels' real fetch (firmware/kernel/spore-fetch.ts) for every node at once. A module is
// content-addressed, so every node would hold identical bytes: the swarm keeps ONE immutable
// buffer and chunk tree per module, and per node only a bitmap of the chunks it holds. Chunks
// handed to a kernel are the real bytes with their real proof, so the kernel's proof check runs
// as on a board; which holder, which chunk, timeouts and failover stay the kernel's.
import { createHash } from 'node:crypto';
import { chunkCount, chunkOf, chunkRoot, chunkRun, chunkTree, isRun } from '../../host/spore/chunk-tree.ts';
import type { KernelInstance, SporeHal } from '../../host/runtime/kernel-instance.ts';
import { FETCH_OK, SPORE_MAX_BYTES } from '../../host/wire/protocol-table.ts';
import { quantile } from '../metrics.ts';

/** One module, shared by every node of the swarm. */
export interface SharedModule {
  readonly species: number;
  readonly bytes: Uint8Array;
  readonly hash: Uint8Array;
  readonly root: Uint8Array;
  readonly chunks: number;
  readonly levels: Uint8Array[][];
  /** Per node: one bit per chunk held (a node index's row is chunkBytes wide). */
  readonly held: Uint8Array;
  readonly rowBytes: number;
  /** Per node: 1 once every chunk is held and the node serves the module (a mirror). */
  readonly complete: Uint8Array;
}

/** The outcome of one node's fetch, as the simulation sees it. */
export interface FetchOutcome {
  node: number;
  ok: boolean;
  startedMs: number;
  endedMs: number;
  /** The kernel's FETCH_* status. */
  status: number;
}

interface RunningFetch {
  module: SharedModule;
  handle: number;
  startedMs: number;
  onDone: (o: FetchOutcome) => void;
}

export interface SporeFigures {
  /** Fetches started by kernels, ended OK, and ended failed (FETCH_NO_HOLDER, or a reboot of the fetcher). */
  fetches: number;
  fetchesDone: number;
  failedFetches: number;
  /** Verified chunks the kernels handed to their hosts (hal.spore_put). */
  chunks: number;
  /** Fetch time, k_fetch to hal.spore_done(FETCH_OK), virtual ms; null without a finished fetch. */
  fetchMsP50: number | null;
  fetchMsP99: number | null;
  /** Fetches not ended at the end of the run: still in flight, or their node died mid-fetch. */
  unfinished: number;
  /** Nodes that hold the whole module at the end (they serve it). */
  mirrors: number;
  moduleBytes: number;
}

export class SporeMirrors {
  private readonly modules = new Map<string, SharedModule>();
  private readonly running: Array<RunningFetch | null>;
  // A fetch whose hal.spore_done comes inside k_fetch_go, before its handle is known.
  private starting: RunningFetch | null = null;
  private startingNode = -1;
  readonly fetchMs: number[] = [];
  fetches = 0;
  fetchesDone = 0;
  failedFetches = 0;
  chunksIn = 0;

  constructor(readonly nodes: number) {
    this.running = new Array<RunningFetch | null>(nodes).fill(null);
  }

  /** Adds a module every node may come to hold; its hash and chunk tree are computed once. */
  add(species: number, bytes: Uint8Array): SharedModule {
    if (bytes.length < 1 || bytes.length > SPORE_MAX_BYTES) throw new RangeError(`a module is 1..${SPORE_MAX_BYTES} bytes, not ${bytes.length}`);
    const frozen = bytes.slice(); // nobody else holds a reference that could change it
    const hash = new Uint8Array(createHash('sha256').update(frozen).digest());
    const chunks = chunkCount(frozen.length);
    const rowBytes = (chunks + 7) >> 3;
    const m: SharedModule = {
      species: species >>> 0, bytes: frozen, hash, root: chunkRoot(frozen), chunks, levels: chunkTree(frozen),
      held: new Uint8Array(this.nodes * rowBytes), rowBytes, complete: new Uint8Array(this.nodes),
    };
    this.modules.set(key(hash), m);
    return m;
  }

  /** Node `node` holds the whole module from the start (it was installed there, not fetched). */
  install(m: SharedModule, node: number): void {
    m.held.fill(0xff, node * m.rowBytes, (node + 1) * m.rowBytes);
    m.complete[node] = 1;
  }

  holds(m: SharedModule, node: number): boolean {
    return m.complete[node] === 1;
  }

  hasChunk(m: SharedModule, node: number, i: number): boolean {
    return (m.held[node * m.rowBytes + (i >> 3)]! & (1 << (i & 7))) !== 0;
  }

  /** Chunks node holds of the module (a fetch cut off keeps them, like SporeBytes' partial fetches). */
  heldChunks(m: SharedModule, node: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < m.chunks; i++) if (this.hasChunk(m, node, i)) out.push(i);
    return out;
  }

  /** True while node has a fetch running. */
  fetching(node: number): boolean {
    return this.running[node] !== null;
  }

  /**
   * Node `node`'s kernel fetches the module: `hints` first (the spawner), then whoever its kernel
   * knows announces the species. `onDone` runs once, when the kernel ends the fetch. Returns false
   * if the kernel refused to start one (it runs its maximum already).
   */
  fetch(kernel: KernelInstance, node: number, m: SharedModule, hints: readonly number[], nowMs: number, onDone: (o: FetchOutcome) => void): boolean {
    if (this.running[node]) throw new Error(`simulated node ${node} is already fetching a spore`);
    const f: RunningFetch = { module: m, handle: -1, startedMs: nowMs, onDone };
    this.fetches++;
    this.starting = f;
    this.startingNode = node;
    let h: number;
    try {
      h = kernel.fetch(m.species, m.hash, m.root, m.bytes.length, hints, this.heldChunks(m, node));
    } finally {
      this.starting = null;
      this.startingNode = -1;
    }
    if (h < 0) {
      this.fetches--;
      return false;
    }
    f.handle = h;
    // Ended inside k_fetch_go (every chunk already held, or no holder at all): done() has run.
    if (f.startedMs >= 0) this.running[node] = f;
    return true;
  }

  /** Node died or rebooted: its fetch ends with it (the chunks it held stay, as on a disk). */
  abandon(node: number): void {
    if (this.running[node]) {
      this.running[node] = null;
      this.failedFetches++;
    }
  }

  /** The SporeHal node `node`'s kernel is instantiated with. */
  halFor(node: number): SporeHal {
    return {
      chunk: (hash, index, count) => {
        const m = this.modules.get(key(hash));
        // A node serves what it holds whole, as SporeBytes serves only finished modules.
        if (!m || m.complete[node] !== 1 || !isRun(m.chunks, index, count)) return null;
        return chunkRun(m.bytes, m.levels, index, count);
      },
      put: (handle, index, chunk) => {
        const f = this.fetchOf(node, handle);
        if (!f || index < 0 || index >= f.module.chunks) return;
        const m = f.module;
        // The kernel verified the chunk against the root; these are the shared bytes, so only a bit is kept.
        if (!sameBytes(chunk, chunkOf(m.bytes, index))) throw new Error(`kernel of node ${node} passed chunk ${index} that is not the module's`);
        m.held[node * m.rowBytes + (index >> 3)]! |= 1 << (index & 7);
        this.chunksIn++;
        this.onChunk?.(node, index);
      },
      done: (handle, status) => {
        const f = this.fetchOf(node, handle);
        if (!f) return;
        this.running[node] = null;
        const m = f.module;
        const ok = status === FETCH_OK && this.heldChunks(m, node).length === m.chunks;
        if (ok) {
          m.complete[node] = 1; // every node is a mirror
          this.fetchesDone++;
        } else this.failedFetches++;
        const now = f.startedMs;
        f.startedMs = -1; // marks it ended for fetch()
        const outcome = { node, ok, startedMs: now, endedMs: this.clock(), status };
        if (ok) this.fetchMs.push(outcome.endedMs - outcome.startedMs);
        f.onDone(outcome);
      },
    };
  }

  /** Sees every verified chunk as it is stored (tests: nothing runs before its last chunk). */
  onChunk?: (node: number, index: number) => void;

  /** Virtual time, set by the swarm's owner before kernels run (done() stamps the end of a fetch). */
  clock: () => number = () => 0;

  private fetchOf(node: number, handle: number): RunningFetch | null {
    if (this.startingNode === node && this.starting) return this.starting;
    const f = this.running[node];
    return f && f.handle === handle ? f : null;
  }

  figures(m: SharedModule): SporeFigures {
    const sorted = [...this.fetchMs].sort((x, y) => x - y);
    const q = (p: number) => (sorted.length === 0 ? null : quantile(sorted, p));
    let mirrors = 0;
    for (let i = 0; i < this.nodes; i++) mirrors += m.complete[i]!;
    return {
      fetches: this.fetches, fetchesDone: this.fetchesDone, failedFetches: this.failedFetches, chunks: this.chunksIn,
      fetchMsP50: q(0.5), fetchMsP99: q(0.99), unfinished: this.running.filter((f) => f !== null).length, mirrors, moduleBytes: m.bytes.length,
    };
  }
}

const key = (hash: Uint8Array) => Buffer.from(hash).toString('hex');

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
