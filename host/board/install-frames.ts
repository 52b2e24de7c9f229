// The board install protocol (boards/runtime/core/install-protocol.h, docs/boards.md "Install
// protocol"): requests the host sends and the replies the board answers, each one serial frame
// (COBS + CRC, host/wire/serial-framing.ts) whose first byte is 0xB1. Integers are little-endian.

export const INSTALL_MAGIC = 0xb1;
export const INSTALL_MAX_CHUNK = 1024;
/** Slot 0 holds the kernel; 1..4 the cells (BOARD_MAX_CELLS). */
export const STORE_SLOTS = 5;

export const Op = { begin: 1, chunk: 2, commit: 3, list: 4, reboot: 5, info: 6, erase: 7, fetch: 8, fetchStatus: 9 } as const;
export type OpName = keyof typeof Op;

export const Status = {
  ok: 0, malformed: 1, badSlot: 2, tooLarge: 3, notBegun: 4, badOffset: 5, sizeMismatch: 6,
  hashMismatch: 7, unknownOp: 8, storeError: 9, hashError: 10,
  // FETCH (the board's kernel fetches a spore; boards/runtime/core/spore-hal.h)
  fetchBusy: 11, speciesHeld: 12, noKernel: 13, noFreeSlot: 14, kernelRefused: 15,
} as const;
export type StatusName = keyof typeof Status;
const STATUS_NAMES = new Map<number, StatusName>(Object.entries(Status).map(([k, v]) => [v, k as StatusName]));
const OP_NAMES = new Map<number, OpName>(Object.entries(Op).map(([k, v]) => [v, k as OpName]));

export type InstallRequest =
  | { op: 'begin'; slot: number; species: number; size: number }
  | { op: 'chunk'; slot: number; offset: number; bytes: Uint8Array }
  | { op: 'commit'; slot: number; size: number; sha256: Uint8Array }
  | { op: 'list' | 'reboot' | 'info' }
  | { op: 'erase'; slot: number }
  /** The board's kernel fetches this module from `holder` (the host's node on the cable) into a free cell slot. */
  | { op: 'fetch'; species: number; size: number; hash: Uint8Array; root: Uint8Array; holder: number }
  | { op: 'fetchStatus' };

/** How the board's last fetch stands (FETCH_STATUS). */
export const FetchState = { idle: 0, running: 1, done: 2, failed: 3 } as const;
export type FetchStateName = keyof typeof FetchState;
/** Why it failed. */
export const FetchWhy = { none: 0, noHolder: 1, hashMismatch: 2, storeError: 3, hashError: 4, cellLoad: 5, kernelHost: 6 } as const;
export type FetchWhyName = keyof typeof FetchWhy;
const STATE_NAMES = new Map<number, FetchStateName>(Object.entries(FetchState).map(([k, v]) => [v, k as FetchStateName]));
const WHY_NAMES = new Map<number, FetchWhyName>(Object.entries(FetchWhy).map(([k, v]) => [v, k as FetchWhyName]));

export interface FetchReport {
  state: FetchStateName;
  why: FetchWhyName;
  slot: number;
  /** Chunks in the slot and of the module. */
  held: number;
  total: number;
  /** The board kernel's counters: chunks verified (sporeChunksRx), chunks whose proof failed (sporeBadChunks). */
  chunksRx: number;
  badChunks: number;
  /** The board's SHA-256 of the stored module once done; zeros before. */
  sha256: Uint8Array;
}

export interface StoredModule { slot: number; species: number; size: number; sha256: Uint8Array }
export interface BoardInfo { node: number; freeRam: number | null; storeBytes: number; slotBytes: number; kernelRunning: boolean }

export type InstallReply =
  | { op: 'begin'; status: StatusName; slotBytes?: number }
  | { op: 'chunk'; status: StatusName; received?: number }
  | { op: 'commit'; status: StatusName; sha256?: Uint8Array }
  | { op: 'list'; status: StatusName; modules?: StoredModule[] }
  | { op: 'info'; status: StatusName; info?: BoardInfo }
  | { op: 'reboot' | 'erase'; status: StatusName }
  | { op: 'fetch'; status: StatusName; slot?: number; resumed?: number }
  | { op: 'fetchStatus'; status: StatusName; report?: FetchReport };

export class InstallFrameError extends Error {}

function u8(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new RangeError(`${what} must be 0..255, got ${n}`);
  return n;
}
function u32(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`${what} must be 0..2^32-1, got ${n}`);
  return n;
}

/** The bytes of one request (to be framed with encodeSerialFrame). */
export function encodeRequest(r: InstallRequest): Uint8Array {
  const body: number[] = [];
  const put32 = (v: number, what: string): void => {
    u32(v, what);
    body.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
  };
  switch (r.op) {
    case 'begin': body.push(u8(r.slot, 'slot')); put32(r.species, 'species'); put32(r.size, 'size'); break;
    case 'chunk':
      if (r.bytes.length > INSTALL_MAX_CHUNK) throw new RangeError(`a chunk holds at most ${INSTALL_MAX_CHUNK} bytes, got ${r.bytes.length}`);
      body.push(u8(r.slot, 'slot')); put32(r.offset, 'offset'); body.push(...r.bytes); break;
    case 'commit':
      if (r.sha256.length !== 32) throw new RangeError(`sha256 must be 32 bytes, got ${r.sha256.length}`);
      body.push(u8(r.slot, 'slot')); put32(r.size, 'size'); body.push(...r.sha256); break;
    case 'erase': body.push(u8(r.slot, 'slot')); break;
    case 'fetch':
      if (r.hash.length !== 32 || r.root.length !== 32) throw new RangeError('a module hash and a chunk root are 32 bytes each');
      put32(r.species, 'species'); put32(r.size, 'size'); body.push(...r.hash, ...r.root); put32(r.holder, 'holder'); break;
    default: break;
  }
  return Uint8Array.from([INSTALL_MAGIC, Op[r.op], ...body]);
}

/** True when a deframed serial frame is an install frame (not a mesh frame, whose byte 0 is 0xCE). */
export function isInstallFrame(frame: Uint8Array): boolean {
  return frame.length >= 2 && frame[0] === INSTALL_MAGIC;
}

/**
 * Decodes a reply from the board. Anything else (wrong magic, a request, unknown op or status, a
 * length that does not fit the op) throws InstallFrameError naming what is wrong.
 */
export function decodeReply(frame: Uint8Array): InstallReply {
  if (frame.length < 3) throw new InstallFrameError(`an install reply has at least 3 bytes, got ${frame.length}`);
  if (frame[0] !== INSTALL_MAGIC) throw new InstallFrameError(`not an install frame (byte 0 is 0x${frame[0]!.toString(16)})`);
  if (!(frame[1]! & 0x80)) throw new InstallFrameError(`op 0x${frame[1]!.toString(16)} is a request, not a reply`);
  const opCode = frame[1]! & 0x7f;
  const op = OP_NAMES.get(opCode);
  const status = STATUS_NAMES.get(frame[2]!);
  if (!status) throw new InstallFrameError(`unknown status ${frame[2]}`);
  if (!op) {
    if (status === 'unknownOp' && frame.length === 3) throw new InstallFrameError(`the board does not know op ${opCode}`);
    throw new InstallFrameError(`unknown op ${opCode}`);
  }
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const rest = frame.length - 3;
  const want = (n: number): void => {
    if (rest !== n) throw new InstallFrameError(`a ${op} reply (${status}) has ${n} bytes after the status, got ${rest}`);
  };
  if (status !== 'ok') {
    // A chunk at the wrong offset says where the board is; every other refusal is the status alone.
    if (op === 'chunk' && status === 'badOffset') { want(4); return { op, status, received: dv.getUint32(3, true) }; }
    if (op === 'commit' && status === 'hashMismatch') { want(32); return { op, status, sha256: frame.slice(3, 35) }; }
    want(0);
    return { op, status } as InstallReply;
  }
  switch (op) {
    case 'begin': want(4); return { op, status, slotBytes: dv.getUint32(3, true) };
    case 'chunk': want(4); return { op, status, received: dv.getUint32(3, true) };
    case 'commit': want(32); return { op, status, sha256: frame.slice(3, 35) };
    case 'info': {
      want(17);
      const free = dv.getUint32(7, true);
      return {
        op, status,
        info: { node: dv.getUint32(3, true), freeRam: free === 0xffffffff ? null : free, storeBytes: dv.getUint32(11, true), slotBytes: dv.getUint32(15, true), kernelRunning: frame[19] !== 0 },
      };
    }
    case 'list': {
      if (rest < 1) throw new InstallFrameError('a list reply has a count');
      const count = frame[3]!;
      want(1 + count * 41);
      const modules: StoredModule[] = [];
      for (let i = 0; i < count; i++) {
        const at = 4 + i * 41;
        const slot = frame[at]!;
        if (slot >= STORE_SLOTS) throw new InstallFrameError(`a listed module is in slot ${slot}, beyond ${STORE_SLOTS - 1}`);
        modules.push({ slot, species: dv.getUint32(at + 1, true), size: dv.getUint32(at + 5, true), sha256: frame.slice(at + 9, at + 41) });
      }
      return { op, status, modules };
    }
    case 'fetch': want(5); return { op, status, slot: frame[3]!, resumed: dv.getUint32(4, true) };
    case 'fetchStatus': {
      want(51);
      const state = STATE_NAMES.get(frame[3]!);
      const why = WHY_NAMES.get(frame[4]!);
      if (!state) throw new InstallFrameError(`unknown fetch state ${frame[3]}`);
      if (!why) throw new InstallFrameError(`unknown fetch failure ${frame[4]}`);
      return {
        op, status,
        report: {
          state, why, slot: frame[5]!, held: dv.getUint32(6, true), total: dv.getUint32(10, true),
          chunksRx: dv.getUint32(14, true), badChunks: dv.getUint32(18, true), sha256: frame.slice(22, 54),
        },
      };
    }
    default: want(0); return { op, status } as InstallReply;
  }
}

/** The board's side of decodeReply (tests, and a fake board): the bytes of one reply. */
export function encodeReply(r: InstallReply): Uint8Array {
  const out: number[] = [INSTALL_MAGIC, Op[r.op] | 0x80, Status[r.status]];
  const put32 = (v: number): void => { out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24); };
  if (r.op === 'begin' && r.slotBytes !== undefined) put32(r.slotBytes);
  if (r.op === 'chunk' && r.received !== undefined) put32(r.received);
  if (r.op === 'commit' && r.sha256) out.push(...r.sha256);
  if (r.op === 'info' && r.info) {
    const i = r.info;
    put32(i.node); put32(i.freeRam ?? 0xffffffff); put32(i.storeBytes); put32(i.slotBytes); out.push(i.kernelRunning ? 1 : 0);
  }
  if (r.op === 'list' && r.modules) {
    out.push(r.modules.length);
    for (const m of r.modules) { out.push(m.slot); put32(m.species); put32(m.size); out.push(...m.sha256); }
  }
  if (r.op === 'fetch' && r.slot !== undefined) { out.push(r.slot); put32(r.resumed ?? 0); }
  if (r.op === 'fetchStatus' && r.report) {
    const f = r.report;
    out.push(FetchState[f.state], FetchWhy[f.why], f.slot);
    put32(f.held); put32(f.total); put32(f.chunksRx); put32(f.badChunks); out.push(...f.sha256);
  }
  return Uint8Array.from(out);
}

/** What a refusal means, for the CLI. */
export function statusText(s: StatusName): string {
  return {
    ok: 'ok', malformed: 'the board found the request malformed', badSlot: 'no such slot on the board',
    tooLarge: 'the module does not fit a store slot', notBegun: 'no upload was begun for this slot',
    badOffset: 'a chunk came at the wrong offset', sizeMismatch: 'the size committed is not the size received',
    hashMismatch: 'module rejected by the board: its SHA-256 of the stored bytes differs from the expected one',
    unknownOp: 'the board does not know this request', storeError: 'the board could not write its store',
    hashError: 'the board could not run its SHA-256',
    fetchBusy: 'the board is fetching another spore', speciesHeld: 'the board already holds a module of this species (erase its slot first)',
    noKernel: 'no kernel runs on the board: a spore is fetched by the kernel', noFreeSlot: 'every cell slot of the board is taken',
    kernelRefused: "the board's kernel refused the fetch",
  }[s];
}

/** Why a board's fetch failed, for the CLI. */
export function fetchWhyText(w: FetchWhyName): string {
  return {
    none: 'no failure', noHolder: 'no holder left: the host stopped serving, or every chunk it served failed its proof',
    hashMismatch: "the module's SHA-256 is not the one asked for", storeError: 'the board could not write its store',
    hashError: 'the board could not run its SHA-256', cellLoad: 'the board could not load the cell (see its log)',
    kernelHost: "the board's kernel would not host the cell",
  }[w];
}
