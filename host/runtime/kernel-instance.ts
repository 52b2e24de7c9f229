// One firmware kernel instance and the HAL it runs on. Used alike by a host node (one kernel)
// and by the simulator (thousands): compile the .wasm once, instantiate it per node.
import { readAsString } from './as-string.ts';
import { KERNEL_STATS, KernelConfig, PeerField, type KernelConfigKey, type KernelStatName } from './kernel-stats.ts';
import { HEADER_BYTES, HeaderReject } from '../wire/header.ts';
import { AUTH_TRAILER_BYTES, FRAME_BYTES, KERNEL_TABLES, KERNEL_TABLE_FIELDS, type KernelTable } from '../wire/protocol-table.ts';
import { NodeCrypto } from '../identity/node-crypto.ts';
import { ErrorCode, encodeErrorPayload } from '../wire/error-codes.ts';

/** What the kernel may do to the world (docs/abi.md, HAL imports). */
export interface KernelHal {
  /** A frame to transmit. The view is only valid during the call: copy it to keep it. */
  send(frame: Uint8Array): void;
  now(): number;
  /** 32 random bits. */
  random(): number;
  /** Runs the cell in `slot` on `input`; writes into `out`; returns the signed length (docs/abi.md). */
  cellCall(slot: number, input: Uint8Array, out: Uint8Array): number;
  /** The answer to a call this node made. The payload view is only valid during the call. */
  deliver(kind: number, seq: number, src: number, payload: Uint8Array): void;
  log?(level: number, text: string): void;
  /** Mitosis: start a replica of `species` on node `target`; 0 if under way, negative if this host cannot. */
  spawn?(species: number, target: number): number;
  /** Apoptosis: the kernel retired the replica in `slot`. */
  retire?(slot: number): void;
  /**
   * This node's ed25519 key pair: the kernel gets the public key (k_identity) and hal.sign signs
   * with the secret one. Without it the kernel cannot handshake and runs open (the simulator).
   */
  identity?: { publicKey: Uint8Array; secretKey: Uint8Array };
  /** The spore bytes this node holds and fetches (docs/spores.md, Transfer); without it, nothing is served or fetched. */
  spores?: SporeHal;
}

/** The host's half of a spore transfer: it holds bytes, the kernel decides (docs/abi.md). */
export interface SporeHal {
  /**
   * Chunks index..index+count-1 (fewer at the module's end) of the module with this hash, and the
   * proof of their subtree (chunkRunProof), or null if not held. `count` is a power of two that
   * divides index (the kernel checked). Views are copied at once.
   */
  chunk(hash: Uint8Array, index: number, count: number): { chunk: Uint8Array; proof: Uint8Array } | null;
  /** A chunk of fetch `handle`, already verified by the kernel against the chunk root. The view is only valid during the call. */
  put(handle: number, index: number, chunk: Uint8Array): void;
  /** Fetch `handle` ended with a FETCH_* status. */
  done(handle: number, status: number): void;
}

interface KernelExports {
  memory: WebAssembly.Memory;
  /** The top of the kernel's memory (docs/abi.md): it touches no byte at or above it. */
  k_memory_top?: WebAssembly.Global;
  k_init(node: number, now: number): void;
  k_buf(): number;
  k_buf_cap(): number;
  k_on_frame(len: number): number;
  k_call(dst: number, species: number, len: number): number;
  k_tick(now: number): number;
  k_next_wake(): number;
  k_host(slot: number, species: number): number;
  k_unhost(slot: number): void;
  k_stat(id: number): number;
  k_config(key: number, value: number): number;
  k_set_load(cpu: number, spare: number): void;
  k_add_peer(id: number): void;
  k_coord(i: number): number;
  k_coord_dims(): number;
  k_predict(): number;
  k_confirm(species: number): number;
  k_policy(slot: number, cpuTarget: number, min: number, max: number): number;
  k_cell_load(slot: number, share: number): void;
  k_peer_count(): number;
  k_peer(i: number, field: number): number;
  k_peer_species(i: number, j: number): number;
  k_protocol(i: number): number;
  k_identity(): void;
  k_hello(dst: number): number;
  k_sessions(): number;
  k_table(t: number, f: number): number;
  k_serve_clear(): void;
  k_serve_add(species: number): number;
  k_access_clear(): void;
  k_access_add(species: number): number;
  k_fetch(species: number, size: number): number;
  k_fetch_hint(handle: number, node: number): number;
  k_fetch_have(handle: number, index: number): number;
  k_fetch_go(handle: number): number;
  k_spawn(target: number, species: number, len: number): number;
  k_spawn_answer(dst: number, species: number, seq: number, reason: number): void;
  k_spawn_done(): void;
  k_answer(src: number, species: number, seq: number, len: number): number;
}

/** One row of the kernel's peer table (`cell peers`). */
export interface PeerInfo {
  nodeId: number;
  /** Milliseconds since the peer was last heard. */
  ageMs: number;
  load: number;
  spare: number;
  healthy: boolean;
  /** RTT predicted from coordinates (Infinity if no coordinate is known). */
  predictedRttMs: number;
  /** RTT measured by probes, filtered (null if never probed). */
  measuredRttMs: number | null;
  species: number[];
}

/** The kernel aborted: a firmware bug, never a consequence of bad input. */
export class KernelPanic extends Error {}

const FIELD_ROWS = KERNEL_TABLE_FIELDS.indexOf('rows');
const FIELD_CAP = KERNEL_TABLE_FIELDS.indexOf('cap');
const FIELD_GIVEN_UP = KERNEL_TABLE_FIELDS.indexOf('givenUp');

export class KernelInstance {
  readonly bufPtr: number;
  readonly bufCap: number;
  /** The kernel's memory top (`k_memory_top`; a kernel without it: its whole memory). */
  readonly memoryTop: number;
  private readonly bytes: Uint8Array;

  private constructor(private readonly k: KernelExports) {
    this.bufPtr = k.k_buf();
    this.bufCap = k.k_buf_cap();
    this.memoryTop = k.k_memory_top ? Number(k.k_memory_top.value) : k.memory.buffer.byteLength;
    // Kernel memory is fixed (initial == maximum), so one view stays valid for the instance's life.
    this.bytes = new Uint8Array(k.memory.buffer);
  }

  static compile(wasm: Uint8Array): Promise<WebAssembly.Module> {
    return WebAssembly.compile(wasm as Uint8Array<ArrayBuffer>);
  }

  /** Instantiates synchronously (cheap once compiled), so a simulator can stand up thousands. */
  static instantiate(module: WebAssembly.Module, hal: KernelHal): KernelInstance {
    let exp: KernelExports | undefined;
    const mem = () => {
      if (!exp) throw new KernelPanic('kernel used its HAL before instantiation finished');
      return exp.memory;
    };
    const view = (ptr: number, len: number) => new Uint8Array(mem().buffer, ptr, len);
    const crypto = new NodeCrypto(hal.identity?.secretKey ?? null);
    const imports = {
      hal: {
        send: (ptr: number, len: number) => hal.send(view(ptr, len)),
        now: () => hal.now(),
        random: () => hal.random() | 0,
        log: (level: number, ptr: number, len: number) => {
          hal.log?.(level, Buffer.from(view(ptr, len)).toString('utf8'));
        },
        panic: (msg: number, file: number, line: number, col: number) => {
          const m = readAsString(mem(), msg) ?? 'abort';
          const f = readAsString(mem(), file) ?? '?';
          throw new KernelPanic(`kernel panic: ${m} at ${f}:${line}:${col}`);
        },
        cell_call: (slot: number, inPtr: number, inLen: number, outPtr: number, outCap: number) =>
          hal.cellCall(slot, view(inPtr, inLen), view(outPtr, outCap)),
        deliver: (kind: number, seq: number, src: number, ptr: number, len: number) =>
          hal.deliver(kind, seq, src >>> 0, view(ptr, len)),
        spawn: (species: number, target: number) => (hal.spawn ? hal.spawn(species >>> 0, target >>> 0) : -1),
        retire: (slot: number) => hal.retire?.(slot),
        sign: (msg: number, len: number, sigOut: number) => (crypto.sign(view(msg, len), view(sigOut, 64)) ? 0 : -1),
        verify: (pub: number, msg: number, len: number, sig: number) => (crypto.verify(view(pub, 32), view(msg, len), view(sig, 64)) ? 1 : 0),
        x25519: (scalar: number, point: number, out: number) => (crypto.x25519(view(scalar, 32), view(point, 32), view(out, 32)) ? 0 : -1),
        mac: (key: number, keyLen: number, data: number, len: number, out: number) => crypto.mac(view(key, keyLen), view(data, len), view(out, 32)),
        hash: (data: number, len: number, out: number) => crypto.hash(view(data, len), view(out, 32)),
        spore_get: (hashPtr: number, index: number, count: number, out: number, outCap: number) => {
          const got = hal.spores?.chunk(view(hashPtr, 32).slice(), index, count);
          if (!got || got.chunk.length === 0 || got.chunk.length + got.proof.length > outCap || got.chunk.length > 0xffff) return -1;
          const o = view(out, outCap);
          o.set(got.chunk, 0);
          o.set(got.proof, got.chunk.length);
          // Both lengths in one i32: chunks in the low 16 bits, proof above.
          return got.chunk.length | (got.proof.length << 16);
        },
        spore_put: (handle: number, index: number, ptr: number, len: number) => hal.spores?.put(handle, index, view(ptr, len)),
        spore_done: (handle: number, status: number) => hal.spores?.done(handle, status),
      },
    };
    const instance = new WebAssembly.Instance(module, imports);
    exp = instance.exports as unknown as KernelExports;
    const k = new KernelInstance(exp);
    if (hal.identity) {
      k.bytes.set(hal.identity.publicKey, k.bufPtr);
      exp.k_identity();
    } else {
      // No key, no handshake: the kernel takes and sends bare frames (docs/security.md, open mode).
      k.configure('open', 1);
    }
    return k;
  }

  /** Opens a session with node `dst` now (0: whoever answers at the transport's address); false if no HELLO went. */
  hello(dst: number): boolean {
    return this.k.k_hello(dst) === 0;
  }

  /** Sessions established now (at most MAX_SESSIONS). */
  get sessions(): number {
    return this.k.k_sessions();
  }

  /** The kernel's fixed tables (docs/abi.md, k_table): rows in use, cap, rows given up to make room. */
  tables(): Record<KernelTable, { rows: number; cap: number; givenUp: number }> {
    const out = {} as Record<KernelTable, { rows: number; cap: number; givenUp: number }>;
    KERNEL_TABLES.forEach((name, t) => {
      out[name] = { rows: this.k.k_table(t, FIELD_ROWS), cap: this.k.k_table(t, FIELD_CAP), givenUp: this.k.k_table(t, FIELD_GIVEN_UP) };
    });
    return out;
  }

  /** Replaces the access list: who (a 32-byte ed25519 key) may call which species (0: any). */
  setAccess(rows: Array<{ publicKey: Uint8Array; species: number }>): void {
    this.loadKeyRows('access', rows, () => this.k.k_access_clear(), (sp) => this.k.k_access_add(sp), this.tables().access.cap);
  }

  /** Replaces the serve list: whose replicas (a 32-byte ed25519 key) of which species (0: any) calls are routed to. */
  setServe(rows: Array<{ publicKey: Uint8Array; species: number }>): void {
    this.loadKeyRows('serve', rows, () => this.k.k_serve_clear(), (sp) => this.k.k_serve_add(sp), this.tables().serve.cap);
  }

  private loadKeyRows(list: string, rows: Array<{ publicKey: Uint8Array; species: number }>, clear: () => void, add: (species: number) => number, cap: number): void {
    clear();
    for (const r of rows) {
      if (r.publicKey.length !== 32) throw new Error(`a key of the ${list} list is 32 bytes, not ${r.publicKey.length}`);
      this.bytes.set(r.publicKey, this.bufPtr);
      if (add(r.species >>> 0) !== 0) throw new RangeError(`the ${list} list holds at most ${cap} rows`);
    }
  }

  init(nodeId: number, now: number): void {
    this.k.k_init(nodeId, now);
  }

  /** Hands the kernel one received frame; returns 0 or a negative drop reason (kernelResultName). */
  onFrame(frame: Uint8Array): number {
    if (frame.length > this.bufCap) return this.k.k_on_frame(frame.length); // counted as TOO_LARGE
    this.bytes.set(frame, this.bufPtr);
    return this.k.k_on_frame(frame.length);
  }

  /** Sends a CALL; `dst` 0 lets the kernel route to the nearest replica. Returns the seq or -reason. */
  /** The largest CALL or answer payload a frame of this kernel carries (its buffer less header and AUTH trailer). */
  get payloadCap(): number {
    return Math.min(this.bufCap, FRAME_BYTES) - HEADER_BYTES - AUTH_TRAILER_BYTES;
  }

  call(dst: number, species: number, payload: Uint8Array): number {
    if (payload.length > this.payloadCap) return -HeaderReject.TOO_LARGE;
    this.bytes.set(payload, this.bufPtr + HEADER_BYTES);
    return this.k.k_call(dst, species, payload.length);
  }

  /**
   * Answers a call this host deferred (its cellCall returned -CELL_DEFERRED; docs/abi.md, Deferred
   * answers): a REPLY payload, or with `error` an ERROR payload. Returns 0, or -NOT_PENDING when no
   * such call waits. An answer too large for a frame goes as a TOO_LARGE error instead.
   */
  answer(src: number, species: number, seq: number, payload: Uint8Array, error = false): number {
    const cap = this.payloadCap;
    let p = payload;
    let err = error;
    if (p.length > cap) {
      p = encodeErrorPayload(ErrorCode.TOO_LARGE, `answer of ${p.length} bytes is over the ${cap}-byte frame`);
      err = true;
    }
    this.bytes.set(p, this.bufPtr + HEADER_BYTES);
    return this.k.k_answer(src >>> 0, species >>> 0, seq & 0xffff, err ? -p.length : p.length);
  }

  /** Runs due timers; returns the time the kernel next wants a tick. */
  tick(now: number): number {
    return this.k.k_tick(now);
  }

  /** When the kernel next wants a tick (its earliest timer or call deadline). */
  get nextWake(): number {
    return this.k.k_next_wake();
  }

  host(slot: number, species: number): void {
    if (this.k.k_host(slot, species) !== 0) throw new Error(`kernel cell table is full (slot ${slot})`);
  }

  unhost(slot: number): void {
    this.k.k_unhost(slot);
  }

  /** Gives the cell in `slot` its [cell.biology] policy: from now on it divides and retires on its own. */
  policy(slot: number, biology: { cpuTarget: number; minReplicas: number; maxReplicas: number }): void {
    if (this.k.k_policy(slot, biology.cpuTarget, biology.minReplicas, biology.maxReplicas) !== 0) throw new Error(`no cell in slot ${slot}`);
  }

  /** The CPU share of the cell in `slot` over the last meter window (instructions / node capacity). */
  cellLoad(slot: number, share: number): void {
    this.k.k_cell_load(slot, share);
  }

  addPeer(nodeId: number): void {
    this.k.k_add_peer(nodeId);
  }

  setLoad(cpuShare: number, spareShare: number): void {
    this.k.k_set_load(cpuShare, spareShare);
  }

  configure(key: KernelConfigKey, value: number): void {
    if (this.k.k_config(KernelConfig[key], value) !== 0) throw new RangeError(`kernel rejected ${key} = ${value}`);
  }

  stat(name: KernelStatName): number {
    return this.k.k_stat(KERNEL_STATS.indexOf(name)) >>> 0;
  }

  stats(): Record<KernelStatName, number> {
    const out = {} as Record<KernelStatName, number>;
    KERNEL_STATS.forEach((name, i) => (out[name] = this.k.k_stat(i) >>> 0));
    return out;
  }

  /** Coordinate word i: dimensions, then height, then error estimate. */
  coordWord(i: number): number {
    return this.k.k_coord(i);
  }

  get coordDims(): number {
    return this.k.k_coord_dims();
  }

  /** Copies this node's coordinate words (dims, height, error) into `out` at `offset`. */
  readCoord(out: Float64Array, offset: number): void {
    const words = this.coordDims + 2;
    for (let w = 0; w < words; w++) out[offset + w] = this.k.k_coord(w);
  }

  /** Probes the nearest few replicas of `species` so routing ranks them by measured RTT; returns how many. */
  confirm(species: number): number {
    return this.k.k_confirm(species);
  }

  peers(): PeerInfo[] {
    const out: PeerInfo[] = [];
    for (let i = 0; i < this.k.k_peer_count(); i++) {
      const f = (field: PeerField) => this.k.k_peer(i, field);
      const species: number[] = [];
      for (let j = 0; j < f(PeerField.speciesCount); j++) species.push(this.k.k_peer_species(i, j) >>> 0);
      const measured = f(PeerField.measuredRttMs);
      out.push({
        nodeId: f(PeerField.nodeId) >>> 0, ageMs: f(PeerField.ageMs), load: f(PeerField.load), spare: f(PeerField.spare),
        healthy: f(PeerField.healthy) === 1, predictedRttMs: f(PeerField.predictedRttMs),
        measuredRttMs: measured > 0 ? measured : null, species,
      });
    }
    return out;
  }

  /**
   * Starts a fetch of a module (docs/spores.md, Transfer): its hash and chunk root, the nodes
   * hinted to hold it, the chunks already held (a resumed fetch). Returns the handle hal.spores
   * sees, or -1 when the size is out of range or SPORE_MAX_FETCHES are running.
   */
  /** Sends a SPAWN offer (host/wire/spawn-payload.ts) to `target`; false if the kernel found it malformed or too large. */
  spawnOffer(target: number, species: number, payload: Uint8Array): boolean {
    if (payload.length > this.bufCap) return false;
    this.bytes.set(payload, this.bufPtr);
    return this.k.k_spawn(target >>> 0, species >>> 0, payload.length) === 0;
  }

  /** Answers the SPAWN offer hal.deliver handed over with `seq`: SPAWN_OK or a refusal reason. */
  spawnAnswer(dst: number, species: number, seq: number, reason: number): void {
    this.k.k_spawn_answer(dst >>> 0, species >>> 0, seq, reason);
  }

  /** An accepted spawn is over (its replica runs, or it failed): frees its place among SPAWN_MAX_PENDING. */
  spawnDone(): void {
    this.k.k_spawn_done();
  }

  fetch(species: number, hash: Uint8Array, root: Uint8Array, size: number, hints: readonly number[], held: readonly number[]): number {
    if (hash.length !== 32 || root.length !== 32) throw new RangeError('a module hash and a chunk root are 32 bytes each');
    this.bytes.set(hash, this.bufPtr);
    this.bytes.set(root, this.bufPtr + 32);
    const h = this.k.k_fetch(species >>> 0, size);
    if (h < 0) return h;
    for (const node of hints) this.k.k_fetch_hint(h, node >>> 0);
    for (const i of held) this.k.k_fetch_have(h, i);
    this.k.k_fetch_go(h);
    return h;
  }

  /** Value i of the protocol table the kernel was built with (PROTOCOL_ROWS order); NaN past its end. */
  protocolValue(i: number): number {
    return this.k.k_protocol(i);
  }

  /** The kernel's own RTT prediction from this node to a coordinate (dims, height, error). */
  predict(coord: ArrayLike<number>): number {
    const dv = new DataView(this.k.memory.buffer, this.bufPtr, coord.length * 8);
    for (let w = 0; w < coord.length; w++) dv.setFloat64(w * 8, coord[w]!, true);
    return this.k.k_predict();
  }
}
