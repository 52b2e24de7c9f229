// The firmware kernel through its HAL alone: framing, dispatch, call state, pheromones, drops.
import test from 'ava';
import fc from 'fast-check';
import { compileAssemblyScript, type FirmwareTarget } from '../host/build/asc.ts';
import { KernelInstance, type KernelHal } from '../host/runtime/kernel-instance.ts';
import { KERNEL_STATS, type KernelStatName } from '../host/runtime/kernel-stats.ts';
import { decodeHeader, encodeFrame, MsgType, BROADCAST, HEADER_BYTES, HeaderReject } from '../host/wire/header.ts';
import { ErrorCode } from '../host/wire/error-codes.ts';
import { KernelResult, MCU_KERNEL_BYTES, MCU_MAX_CELLS, MCU_MAX_PEERS, MCU_MAX_CALLS, MCU_MAX_SESSIONS, MCU_MAX_ACCESS, MCU_MAX_SERVE, MCU_REPLAY_SHARED, MCU_REPLAY_LARGE, MAX_SESSIONS, MAX_ACCESS, MAX_SERVE, REPLAY_PER_CALLER, HOST_PAGES } from '../host/wire/protocol-table.ts';
import { decodeCbor, encodeCbor } from '../host/wire/cbor.ts';

// The host kernel (kernel.host.wasm's build): what a host node and the simulator run. The mcu
// kernel is the same code with the board's table sizes (docs/protocol.toml [mcu_table]), tested below.
const kernelModules = {
  host: compileAssemblyScript({ entries: ['firmware/kernel/index.ts'], target: 'host', runtime: 'stub' }).then((r) => WebAssembly.compile(r.binary)),
  mcu: compileAssemblyScript({ entries: ['firmware/kernel/index.ts'], target: 'mcu', runtime: 'stub' }).then((r) => WebAssembly.compile(r.binary)),
};

interface Rig {
  k: KernelInstance;
  sent: Uint8Array[];
  delivered: Array<{ kind: number; seq: number; src: number; payload: unknown }>;
  cellCalls: number;
  clock: { now: number };
}

const SELF = 0x0a0a0a0a;
const PEER = 0x0b0b0b0b;
const SPECIES = 0x5eed5eed;

async function rig(opts: {
  cell?: (input: Uint8Array, out: Uint8Array) => number;
  config?: Record<string, number>;
  spawn?: (species: number, target: number) => number;
  target?: FirmwareTarget;
} = {}): Promise<Rig> {
  const clock = { now: 0 };
  let seed = 12345;
  const r: Rig = { k: undefined as unknown as KernelInstance, sent: [], delivered: [], cellCalls: 0, clock };
  const hal: KernelHal = {
    send: (f) => r.sent.push(f.slice()),
    now: () => clock.now,
    random: () => (seed = (seed * 1103515245 + 12345) >>> 0),
    cellCall: (_slot, input, out) => {
      r.cellCalls++;
      if (!opts.cell) throw new Error('no cell');
      return opts.cell(input, out);
    },
    deliver: (kind, seq, src, payload) => r.delivered.push({ kind, seq, src, payload: decodeCbor(payload) }),
    spawn: opts.spawn,
  };
  r.k = KernelInstance.instantiate(await kernelModules[opts.target ?? 'host'], hal);
  // Quiet by default: tests drive probes and announcements explicitly.
  r.k.configure('probeIntervalMs', 0);
  r.k.configure('announceIntervalMs', 0);
  for (const [key, v] of Object.entries(opts.config ?? {})) r.k.configure(key as never, v);
  r.k.init(SELF, 0);
  return r;
}

const echoCell = (input: Uint8Array, out: Uint8Array) => {
  out.set(input);
  return input.length;
};

test('a CALL for a hosted species runs the cell and replies to the caller', async (t) => {
  const r = await rig({ cell: echoCell });
  r.k.host(3, SPECIES);
  const payload = encodeCbor([0, 'hi']);
  t.is(r.k.onFrame(encodeFrame({ type: MsgType.CALL, flags: 0, src: PEER, dst: SELF, species: SPECIES, seq: 77 }, payload)), 0);
  t.is(r.cellCalls, 1);
  t.is(r.sent.length, 1);
  const h = decodeHeader(r.sent[0]!);
  t.like(h, { type: MsgType.REPLY, src: SELF, dst: PEER, species: SPECIES, seq: 77, length: payload.length });
  t.deepEqual(decodeCbor(r.sent[0]!.subarray(HEADER_BYTES)), [0, 'hi']);
  t.is(r.k.stat('callsServed'), 1);
});

test('a cell error (negative length) goes back as an ERROR frame', async (t) => {
  const err = encodeCbor([ErrorCode.CELL_ERROR, 'kv full']);
  const r = await rig({ cell: (_i, out) => (out.set(err), -err.length) });
  r.k.host(1, SPECIES);
  r.k.onFrame(encodeFrame({ type: MsgType.CALL, flags: 0, src: PEER, dst: 0, species: SPECIES, seq: 5 }, encodeCbor([0])));
  const h = decodeHeader(r.sent[0]!);
  t.is(h.type, MsgType.ERROR);
  t.deepEqual(decodeCbor(r.sent[0]!.subarray(HEADER_BYTES)), [ErrorCode.CELL_ERROR, 'kv full']);
  t.is(r.k.stat('callErrors'), 1);
});

test('a CALL for an unknown species gets a clear ERROR, not silence', async (t) => {
  const r = await rig();
  r.k.onFrame(encodeFrame({ type: MsgType.CALL, flags: 0, src: PEER, dst: SELF, species: 0x1234, seq: 9 }, encodeCbor([0])));
  t.is(r.cellCalls, 0);
  const h = decodeHeader(r.sent[0]!);
  t.like(h, { type: MsgType.ERROR, dst: PEER, species: 0x1234, seq: 9 });
  t.deepEqual(decodeCbor(r.sent[0]!.subarray(HEADER_BYTES)), [ErrorCode.UNKNOWN_SPECIES, 'unknown species']);
  t.is(r.k.stat('unknownSpecies'), 1);
});

test('a broadcast CALL is answered only by hosts', async (t) => {
  const r = await rig();
  r.k.onFrame(encodeFrame({ type: MsgType.CALL, flags: 0, src: PEER, dst: BROADCAST, species: 0x1234, seq: 9 }, encodeCbor([0])));
  t.is(r.sent.length, 0);
});

test('frames for another node are dropped and counted', async (t) => {
  const r = await rig({ cell: echoCell });
  r.k.host(1, SPECIES);
  t.is(r.k.onFrame(encodeFrame({ type: MsgType.CALL, flags: 0, src: PEER, dst: 0x99, species: SPECIES, seq: 1 }, encodeCbor([0]))), -KernelResult.NOT_FOR_ME);
  t.is(r.k.stat('dropNotForMe'), 1);
  t.is(r.cellCalls, 0);
});

test('a call with no route is refused at once; with a default route it goes out to dst 0', async (t) => {
  const r = await rig();
  t.is(r.k.call(0, SPECIES, encodeCbor([0])), -KernelResult.NO_ROUTE);
  t.is(r.k.stat('noRoute'), 1);
  r.k.configure('defaultRoute', 1);
  const seq = r.k.call(0, SPECIES, encodeCbor([0]));
  t.true(seq > 0);
  t.like(decodeHeader(r.sent[0]!), { type: MsgType.CALL, src: SELF, dst: 0, species: SPECIES, seq });
});

test('a reply completes the call; a duplicate or forged reply is counted, not delivered', async (t) => {
  const r = await rig({ config: { defaultRoute: 1 } });
  const seq = r.k.call(0, SPECIES, encodeCbor([0]));
  const reply = encodeFrame({ type: MsgType.REPLY, flags: 0, src: PEER, dst: SELF, species: SPECIES, seq }, encodeCbor(42));
  r.k.onFrame(reply);
  t.deepEqual(r.delivered, [{ kind: MsgType.REPLY, seq, src: PEER, payload: 42 }]);
  r.k.onFrame(reply);
  t.is(r.delivered.length, 1);
  t.is(r.k.stat('unmatchedReplies'), 1);
});

test('an unanswered call times out with a TIMEOUT error and the peer is avoided', async (t) => {
  const r = await rig({ config: { callTimeoutMs: 500, callAttempts: 1 } });
  // Learn of a replica through its pheromone.
  r.k.onFrame(encodeFrame({ type: MsgType.ANNOUNCE, flags: 0, src: PEER, dst: BROADCAST, species: 0, seq: 0 }, encodeCbor([[SPECIES], 0.1, 0.9, []])));
  const seq = r.k.call(0, SPECIES, encodeCbor([0]));
  t.true(seq > 0);
  t.is(decodeHeader(r.sent[0]!).dst, PEER);
  r.clock.now = 499;
  r.k.tick(r.clock.now);
  t.is(r.delivered.length, 0);
  r.clock.now = 501;
  r.k.tick(r.clock.now);
  t.deepEqual(r.delivered, [{ kind: MsgType.ERROR, seq, src: PEER, payload: [ErrorCode.TIMEOUT, 'timeout'] }]);
  // Within the fail-hold window the dead replica is not chosen again.
  t.is(r.k.call(0, SPECIES, encodeCbor([0])), -KernelResult.NO_ROUTE);
});

test('a local replica answers a local caller without touching the network', async (t) => {
  const r = await rig({ cell: echoCell });
  r.k.host(2, SPECIES);
  const seq = r.k.call(0, SPECIES, encodeCbor([1, 'x']));
  t.is(r.sent.length, 0);
  t.deepEqual(r.delivered, [{ kind: MsgType.REPLY, seq, src: SELF, payload: [1, 'x'] }]);
});

test('announcements go out on schedule with the hosted species', async (t) => {
  const r = await rig({ config: { announceIntervalMs: 1000 } });
  r.k.host(1, SPECIES);
  r.k.setLoad(0.25, 0.5);
  r.clock.now = 2000;
  r.k.tick(r.clock.now);
  const ann = r.sent.find((f) => f[2] === MsgType.ANNOUNCE)!;
  t.truthy(ann);
  t.like(decodeHeader(ann), { src: SELF, dst: BROADCAST });
  const body = decodeCbor(ann.subarray(HEADER_BYTES)) as unknown[];
  t.deepEqual(body.slice(0, 3), [[SPECIES], 0.25, 0.5]);
});

test('a PING is answered by a PONG echoing its timestamp', async (t) => {
  const r = await rig();
  r.k.onFrame(encodeFrame({ type: MsgType.PING, flags: 0, src: PEER, dst: SELF, species: 0, seq: 3 }, encodeCbor([1234.5])));
  const pong = r.sent[0]!;
  t.like(decodeHeader(pong), { type: MsgType.PONG, dst: PEER, seq: 3 });
  const body = decodeCbor(pong.subarray(HEADER_BYTES)) as unknown[];
  t.is(body[0], 1234.5);
  t.is(body.length, 5); // [t, coordinate, gossip id, load, spare]
});

// What one frame did, judged from the counters and the frames sent; undefined if it broke a rule.
const REJECTED_BY = ['dropBadHeader', 'dropNotForMe'] as const;
const ANSWERED_AS = ['callsServed', 'callErrors', 'callsShed', 'duplicateCalls', 'unknownSpecies', 'pingsRx'] as const;
const DROPPED_AS = ['unknownSpecies', 'unmatchedReplies', 'badPayload'] as const;
const TAKEN_AS = ['pongsRx', 'announcesRx'] as const;
type Fate = 'rejected' | 'answered' | 'dropped' | 'taken';

function fateOf(res: number, sent: number, before: Record<KernelStatName, number>, after: Record<KernelStatName, number>): Fate | string {
  const d = (n: KernelStatName) => after[n] - before[n];
  const moved = (names: readonly KernelStatName[]) => names.filter((n) => d(n) !== 0).map((n) => `${n}+${d(n)}`);
  if (d('framesRx') === 0) {
    const why = moved(REJECTED_BY);
    return res < 0 && sent === 0 && why.length === 1 && why[0]!.endsWith('+1') ? 'rejected' : `not accepted, yet res ${res}, sent ${sent}, ${why}`;
  }
  if (d('framesRx') !== 1 || moved(REJECTED_BY).length > 0) return `framesRx+${d('framesRx')} with ${moved(REJECTED_BY)}`;
  if (sent > 0) {
    const as = moved(ANSWERED_AS);
    const ok = sent === 1 && d('framesTx') === 1 && as.length === 1 && as[0]!.endsWith('+1') && d('badPayload') === 0;
    return ok ? 'answered' : `answered with ${sent} frames, framesTx+${d('framesTx')}, ${moved(ANSWERED_AS)}, badPayload+${d('badPayload')}`;
  }
  const drops = moved(DROPPED_AS);
  if (drops.length === 1 && drops[0]!.endsWith('+1')) return 'dropped';
  if (drops.length === 0 && res === 0 && moved(TAKEN_AS).length === 1) return 'taken';
  return `silent with res ${res}: drops ${drops}, taken ${moved(TAKEN_AS)}`;
}

test('hostile frames never crash the kernel: each is rejected, answered once, or taken or dropped under one counter', async (t) => {
  const r = await rig({ cell: echoCell });
  r.k.host(1, SPECIES);
  const type = fc.integer({ min: 1, max: 8 });
  const frameArb = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.tuple(type, fc.uint8Array({ maxLength: 48 }), fc.constantFrom(SELF, 0, BROADCAST, PEER), fc.constantFrom(SPECIES, 0, 7)).map(([ty, p, dst, species]) =>
      encodeFrame({ type: ty, flags: 0, src: PEER, dst, species, seq: 1 }, p),
    ),
  );
  const fates: Record<Fate, number> = { rejected: 0, answered: 0, dropped: 0, taken: 0 };
  let frames = 0;
  await fc.assert(
    fc.asyncProperty(frameArb, async (frame) => {
      const before = r.k.stats();
      const sentBefore = r.sent.length;
      const res = r.k.onFrame(frame);
      frames++;
      const fate = fateOf(res, r.sent.length - sentBefore, before, r.k.stats());
      if (!(fate in fates)) throw new Error(fate);
      fates[fate as Fate]++;
    }),
    { numRuns: 1500 },
  );
  t.log(fates);
  // The generator reaches every way a frame can end but 'taken' (a valid PONG or ANNOUNCE is rare in noise).
  t.true(fates.rejected > 0 && fates.answered > 0 && fates.dropped > 0, JSON.stringify(fates));
  // Totals: every frame fed (shrinking runs included) is accepted or rejected, every answer counted as sent.
  const s = r.k.stats();
  t.is(s.framesRx + s.dropBadHeader + s.dropNotForMe, frames);
  t.is(s.framesTx, r.sent.length);
  t.is(r.k.onFrame(new Uint8Array(r.k.bufCap + 1)), -HeaderReject.TOO_LARGE);
  t.is(r.k.stat('dropTooLarge'), 1);
});

const announce = (src: number, species: number[], coord: number[] = []) =>
  encodeFrame({ type: MsgType.ANNOUNCE, flags: 0, src, dst: BROADCAST, species: 0, seq: 0 }, encodeCbor([species, 0.1, 0.9, coord]));

test('a lost call is retried with backoff and the same seq, then fails once out of attempts', async (t) => {
  const r = await rig({ config: { callTimeoutMs: 100, callAttempts: 3 } });
  r.k.onFrame(announce(PEER, [SPECIES]));
  const seq = r.k.call(0, SPECIES, encodeCbor([0, 'x']));
  const calls = () => r.sent.filter((f) => f[2] === MsgType.CALL);
  for (const [now, expectCalls] of [[99, 1], [100, 2], [299, 2], [300, 3], [699, 3]] as const) {
    r.clock.now = now;
    r.k.tick(now);
    t.is(calls().length, expectCalls, `at ${now} ms`);
  }
  for (const f of calls()) {
    t.like(decodeHeader(f), { seq, dst: PEER });
    t.deepEqual(decodeCbor(f.subarray(HEADER_BYTES)), [0, 'x']);
  }
  t.is(r.delivered.length, 0);
  r.clock.now = 700;
  r.k.tick(700);
  t.deepEqual(r.delivered, [{ kind: MsgType.ERROR, seq, src: PEER, payload: [ErrorCode.TIMEOUT, 'timeout'] }]);
  t.is(r.k.stat('retries'), 2);
});

test('a retry fails over to the next replica when the first stays silent', async (t) => {
  const NEAR = 0x0c0c0c0c;
  const FAR = 0x0d0d0d0d;
  const r = await rig({ config: { callTimeoutMs: 100, callAttempts: 3 } });
  // Coordinates (4-D + height + error) put NEAR closer than FAR to our origin coordinate.
  r.k.onFrame(announce(NEAR, [SPECIES], [1, 0, 0, 0, 1, 0.2]));
  r.k.onFrame(announce(FAR, [SPECIES], [300, 0, 0, 0, 1, 0.2]));
  const seq = r.k.call(0, SPECIES, encodeCbor([0]));
  t.is(decodeHeader(r.sent.at(-1)!).dst, NEAR);
  r.clock.now = 100;
  r.k.tick(100);
  t.like(decodeHeader(r.sent.at(-1)!), { type: MsgType.CALL, dst: FAR, seq });
  t.is(r.k.stat('failovers'), 1);
  r.k.onFrame(encodeFrame({ type: MsgType.REPLY, flags: 0, src: FAR, dst: SELF, species: SPECIES, seq }, encodeCbor(7)));
  t.deepEqual(r.delivered, [{ kind: MsgType.REPLY, seq, src: FAR, payload: 7 }]);
  // The caller saw one answer; the next call avoids the silent replica while it is held off.
  r.k.call(0, SPECIES, encodeCbor([0]));
  t.is(decodeHeader(r.sent.at(-1)!).dst, FAR);
});

test('a retransmitted CALL is answered again without running the handler twice', async (t) => {
  let runs = 0;
  const r = await rig({ cell: (input, out) => (runs++, out.set(encodeCbor(runs)), encodeCbor(runs).length) });
  r.k.host(1, SPECIES);
  const call = encodeFrame({ type: MsgType.CALL, flags: 0, src: PEER, dst: SELF, species: SPECIES, seq: 42 }, encodeCbor([0, 'BTC', 5]));
  r.k.onFrame(call);
  r.k.onFrame(call);
  r.k.onFrame(call);
  t.is(runs, 1);
  t.is(r.sent.length, 3);
  for (const f of r.sent) t.deepEqual(decodeCbor(f.subarray(HEADER_BYTES)), 1);
  t.is(r.k.stat('duplicateCalls'), 2);
  // A different seq from the same caller is new work.
  r.k.onFrame(encodeFrame({ type: MsgType.CALL, flags: 0, src: PEER, dst: SELF, species: SPECIES, seq: 43 }, encodeCbor([0, 'BTC', 5])));
  t.is(runs, 2);
  // After the replay window a reused seq is new work too.
  r.clock.now = 60_000;
  r.k.onFrame(call);
  t.is(runs, 3);
});

const OVERLOADED = encodeCbor([ErrorCode.OVERLOADED, 'overloaded: queue full']);
const answer = (src: number, seq: number, type: MsgType, payload: Uint8Array) =>
  encodeFrame({ type, flags: 0, src, dst: SELF, species: SPECIES, seq }, payload);

test('a shed call (OVERLOADED) goes at once to another replica, which is preferred for busyHoldMs', async (t) => {
  const NEAR = 0x0c0c0c0c;
  const FAR = 0x0d0d0d0d;
  const r = await rig({ config: { callTimeoutMs: 100, callAttempts: 3, busyHoldMs: 1000 } });
  r.k.onFrame(announce(NEAR, [SPECIES], [1, 0, 0, 0, 1, 0.2]));
  r.k.onFrame(announce(FAR, [SPECIES], [300, 0, 0, 0, 1, 0.2]));
  const seq = r.k.call(0, SPECIES, encodeCbor([0, 'x']));
  t.is(decodeHeader(r.sent.at(-1)!).dst, NEAR);
  r.k.onFrame(answer(NEAR, seq, MsgType.ERROR, OVERLOADED));
  // Not delivered: the same call, same seq and payload, is on its way to the other replica already.
  t.deepEqual(r.delivered, []);
  t.like(decodeHeader(r.sent.at(-1)!), { type: MsgType.CALL, dst: FAR, seq });
  t.deepEqual(decodeCbor(r.sent.at(-1)!.subarray(HEADER_BYTES)), [0, 'x']);
  t.is(r.k.stat('overloadFailovers'), 1);
  r.k.onFrame(answer(FAR, seq, MsgType.REPLY, encodeCbor(7)));
  t.deepEqual(r.delivered, [{ kind: MsgType.REPLY, seq, src: FAR, payload: 7 }]);
  // The busy replica is passed over while held, but it still counts as alive (it answered).
  r.clock.now = 999;
  const s2 = r.k.call(0, SPECIES, encodeCbor([0]));
  t.is(decodeHeader(r.sent.at(-1)!).dst, FAR);
  t.is(r.k.peers().find((p) => p.nodeId === NEAR)?.healthy, true);
  r.k.onFrame(answer(FAR, s2, MsgType.REPLY, encodeCbor(8)));
  r.clock.now = 1000;
  r.k.call(0, SPECIES, encodeCbor([0]));
  t.is(decodeHeader(r.sent.at(-1)!).dst, NEAR, 'preferred again once the hold is over');
});

test('a shed call out of attempts, or with every replica busy, ends with the OVERLOADED error', async (t) => {
  const r = await rig({ config: { callTimeoutMs: 100, callAttempts: 2 } });
  r.k.onFrame(announce(PEER, [SPECIES]));
  const seq = r.k.call(0, SPECIES, encodeCbor([0]));
  r.k.onFrame(answer(PEER, seq, MsgType.ERROR, OVERLOADED));
  // The only replica is busy: the second attempt goes to it anyway (it may have room by now).
  t.like(decodeHeader(r.sent.at(-1)!), { type: MsgType.CALL, dst: PEER, seq });
  r.k.onFrame(answer(PEER, seq, MsgType.ERROR, OVERLOADED));
  t.deepEqual(r.delivered, [{ kind: MsgType.ERROR, seq, src: PEER, payload: [ErrorCode.OVERLOADED, 'overloaded: queue full'] }]);
  t.is(r.k.stat('overloadFailovers'), 1);
  // A call sent to an explicit node is not re-routed: its OVERLOADED goes straight to the caller.
  const direct = r.k.call(PEER, SPECIES, encodeCbor([0]));
  r.k.onFrame(answer(PEER, direct, MsgType.ERROR, OVERLOADED));
  t.is(r.delivered.at(-1)!.seq, direct);
  t.is(r.k.stat('overloadFailovers'), 1);
});

test('a call the host sheds is counted, answered OVERLOADED, and not replayed: a retransmission may run', async (t) => {
  let full = true;
  let runs = 0;
  const r = await rig({
    cell: (_input, out) => {
      if (full) return (out.set(OVERLOADED), -OVERLOADED.length);
      runs++;
      out.set(encodeCbor(runs));
      return encodeCbor(runs).length;
    },
  });
  r.k.host(1, SPECIES);
  const call = encodeFrame({ type: MsgType.CALL, flags: 0, src: PEER, dst: SELF, species: SPECIES, seq: 42 }, encodeCbor([0]));
  r.k.onFrame(call);
  t.deepEqual(decodeCbor(r.sent.at(-1)!.subarray(HEADER_BYTES)), [ErrorCode.OVERLOADED, 'overloaded: queue full']);
  t.is(r.k.stat('callsShed'), 1);
  t.is(r.k.stat('callErrors'), 0);
  full = false;
  r.k.onFrame(call);
  t.is(runs, 1);
  t.deepEqual(decodeCbor(r.sent.at(-1)!.subarray(HEADER_BYTES)), 1);
  // Executed now, so from here on the answer is replayed.
  r.k.onFrame(call);
  t.is(runs, 1);
  t.is(r.k.stat('duplicateCalls'), 1);
});

test('callers do not enter the peer table; a full table replaces a node that hosts nothing first', async (t) => {
  const r = await rig({ cell: echoCell });
  r.k.host(1, SPECIES);
  for (let i = 0; i < 200; i++) {
    r.k.onFrame(encodeFrame({ type: MsgType.CALL, flags: 0, src: 0x100 + i, dst: SELF, species: SPECIES, seq: 1 }, encodeCbor([0])));
  }
  t.is(r.k.stat('callsServed'), 200);
  t.is(r.k.peers().length, 0);
  // 64 entries: one replica heard first (so the stalest), then 63 plain nodes, then one more node.
  r.k.onFrame(announce(PEER, [SPECIES]));
  for (let i = 0; i < 64; i++) {
    r.clock.now += 1;
    r.k.onFrame(encodeFrame({ type: MsgType.PING, flags: 0, src: 0x1000 + i, dst: SELF, species: 0, seq: 1 }, encodeCbor([r.clock.now])));
  }
  const ids = r.k.peers().map((p) => p.nodeId);
  t.is(ids.length, 64);
  t.true(ids.includes(PEER), 'the replica stays');
  t.false(ids.includes(0x1000), 'the stalest plain node went');
  t.is(r.k.stat('peerTableFull'), 1);
});

// An ANNOUNCE with an explicit spare capacity: [[species], load, spare, coordinate].
const announceSpare = (src: number, species: number[], spare: number, coord: number[]) =>
  encodeFrame({ type: MsgType.ANNOUNCE, flags: 0, src, dst: BROADCAST, species: 0, seq: 0 }, encodeCbor([species, 0.1, spare, coord]));

test('a sibling goes to the spare node nearest to where the calls come from, not to the spawner', async (t) => {
  const NEAR = 0x0c0c0c0c; // idle, next to this node (its coordinate is at the origin)
  const FAR = 0x0d0d0d0d; // idle, next to the callers
  const CALLER = 0x0e0e0e0e; // all the load comes from here; no spare capacity of its own
  const place = async (withCalls: boolean) => {
    const targets: number[] = [];
    const r = await rig({ cell: echoCell, spawn: (_species, target) => (targets.push(target), 0) });
    r.k.host(1, SPECIES);
    r.k.policy(1, { cpuTarget: 0.5, minReplicas: 1, maxReplicas: 10 });
    r.k.onFrame(announceSpare(NEAR, [], 0.9, [1, 0, 0, 0, 1, 0.2]));
    r.k.onFrame(announceSpare(FAR, [], 0.9, [300, 0, 0, 0, 1, 0.2]));
    r.k.onFrame(announceSpare(CALLER, [], 0, [310, 0, 0, 0, 1, 0.2]));
    if (withCalls) {
      for (let i = 0; i < 20; i++) r.k.onFrame(encodeFrame({ type: MsgType.CALL, flags: 0, src: CALLER, dst: SELF, species: SPECIES, seq: i + 1 }, encodeCbor([0])));
    }
    r.k.cellLoad(1, 1.0); // twice the target, alone: one sibling is due
    r.clock.now = 1000;
    r.k.tick(1000);
    return targets;
  };
  t.deepEqual(await place(true), [FAR]);
  t.deepEqual(await place(false), [NEAR], 'with no calls heard, the nearest spare node');
});

test('the heaviest caller with no known coordinate is probed, once a division period', async (t) => {
  const r = await rig({ cell: echoCell });
  r.k.host(1, SPECIES);
  const LIGHT = 0x0e0e0e01;
  const HEAVY = 0x0e0e0e02;
  const call = (src: number, seq: number) => encodeFrame({ type: MsgType.CALL, flags: 0, src, dst: SELF, species: SPECIES, seq }, encodeCbor([0]));
  r.k.onFrame(call(LIGHT, 1));
  for (let i = 0; i < 5; i++) r.k.onFrame(call(HEAVY, i + 1));
  const pings = () => r.sent.filter((f) => f[2] === MsgType.PING).map((f) => decodeHeader(f).dst);
  r.clock.now = 1000;
  r.k.tick(1000);
  t.deepEqual(pings(), [HEAVY]);
  // Its PONG puts it in the peer table with a coordinate: the next period probes the other caller.
  r.k.onFrame(encodeFrame({ type: MsgType.PONG, flags: 0, src: HEAVY, dst: SELF, species: 0, seq: 0 }, encodeCbor([1000, [5, 0, 0, 0, 1, 0.2], 0, 0.1, 0.9])));
  r.clock.now = 2000;
  r.k.tick(2000);
  t.deepEqual(pings(), [HEAVY, LIGHT]);
});

test('a busy replica still answers a retransmission from its replay cache after 30 other calls (open mode: the 32-slot shared ring)', async (t) => {
  let runs = 0;
  const r = await rig({ cell: (_input, out) => (runs++, out.set(encodeCbor(runs)), encodeCbor(runs).length) });
  r.k.host(1, SPECIES);
  const call = (src: number, seq: number) => encodeFrame({ type: MsgType.CALL, flags: 0, src, dst: SELF, species: SPECIES, seq }, encodeCbor([0, 'BTC', 5]));
  r.k.onFrame(call(PEER, 1));
  for (let i = 0; i < 30; i++) r.k.onFrame(call(0x100 + i, 7));
  t.is(runs, 31);
  r.k.onFrame(call(PEER, 1)); // the first caller's retransmission
  t.is(runs, 31, 'not executed a second time');
  t.deepEqual(decodeCbor(r.sent.at(-1)!.subarray(HEADER_BYTES)), 1);
  // A large answer does not push small ones out: 10 calls with 600-byte answers, then the first again.
  const big = new Uint8Array(600).fill(7);
  const r2 = await rig({ cell: (input, out) => (runs++, input.length > 10 ? (out.set(encodeCbor(big)), encodeCbor(big).length) : (out.set(encodeCbor(runs)), encodeCbor(runs).length)) });
  r2.k.host(1, SPECIES);
  r2.k.onFrame(call(PEER, 1));
  const before = runs;
  for (let i = 0; i < 10; i++) r2.k.onFrame(encodeFrame({ type: MsgType.CALL, flags: 0, src: 0x200 + i, dst: SELF, species: SPECIES, seq: 1 }, encodeCbor([0, 'x'.repeat(20)])));
  r2.k.onFrame(call(PEER, 1));
  t.is(runs, before + 10);
  t.is(r2.k.stat('duplicateCalls'), 1);
});

test('at most peerWindow calls are in flight to one node', async (t) => {
  const r = await rig({ config: { peerWindow: 3 } });
  r.k.onFrame(announce(PEER, [SPECIES]));
  const seqs = [1, 2, 3, 4].map(() => r.k.call(0, SPECIES, encodeCbor([0])));
  t.true(seqs.slice(0, 3).every((s) => s > 0));
  t.is(seqs[3], -KernelResult.PEER_BUSY);
  t.is(r.k.stat('peerWindowFull'), 1);
  r.k.onFrame(encodeFrame({ type: MsgType.REPLY, flags: 0, src: PEER, dst: SELF, species: SPECIES, seq: seqs[0]! }, encodeCbor(1)));
  t.true(r.k.call(0, SPECIES, encodeCbor([0])) > 0);
});

test('retry/backoff state machine: every call ends exactly once, whatever answers arrive (property)', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ advance: fc.integer({ min: 0, max: 400 }), answer: fc.boolean(), shed: fc.boolean(), which: fc.nat() }), { maxLength: 40 }),
      async (steps) => {
        const r = await rig({ config: { callTimeoutMs: 100, callAttempts: 3 } });
        r.k.onFrame(announce(PEER, [SPECIES]));
        const open: number[] = [];
        for (const s of steps) {
          const seq = r.k.call(0, SPECIES, encodeCbor([0]));
          if (seq > 0) open.push(seq);
          r.clock.now += s.advance;
          r.k.tick(r.clock.now);
          if (s.answer && open.length > 0) {
            const seq2 = open[s.which % open.length]!;
            // A shed answer sends the call again (a new attempt) or ends it with OVERLOADED.
            r.k.onFrame(s.shed ? answer(PEER, seq2, MsgType.ERROR, OVERLOADED) : answer(PEER, seq2, MsgType.REPLY, encodeCbor(0)));
          }
        }
        // Let every remaining attempt run out (three attempts: at most 100 + 200 + 400 ms).
        for (let i = 0; i < 5; i++) {
          r.clock.now += 1000;
          r.k.tick(r.clock.now);
        }
        const ended = r.delivered.map((d) => d.seq).sort((a, b) => a - b);
        t.deepEqual(ended, [...open].sort((a, b) => a - b), 'each call is delivered exactly once');
      },
    ),
    { numRuns: 60 },
  );
});

test('k_table: each fixed table reports its rows, its cap and the rows it gave up (cell stats shows them)', async (t) => {
  const r = await rig({ cell: echoCell });
  r.k.host(1, SPECIES);
  for (let i = 0; i < 200; i++) {
    r.clock.now += 1;
    r.k.onFrame(encodeFrame({ type: MsgType.CALL, flags: 0, src: 0x100 + i, dst: SELF, species: SPECIES, seq: 1 }, encodeCbor([0])));
  }
  for (let i = 0; i < 65; i++) r.k.onFrame(encodeFrame({ type: MsgType.PING, flags: 0, src: 0x1000 + i, dst: SELF, species: 0, seq: 1 }, encodeCbor([r.clock.now])));
  const tables = r.k.tables();
  t.deepEqual(Object.keys(tables), ['peers', 'sessions', 'replay', 'calls', 'callers', 'budgets', 'rtt', 'cells', 'access', 'serve', 'sporeRequesters']);
  // 200 unauthenticated callers share the replay ring (32 of its 100 slots: 4 per session, 32 shared, 4 large): the oldest 168 answers were overwritten.
  t.deepEqual(tables.replay, { rows: 32, cap: 100, givenUp: 168 });
  t.deepEqual(tables.callers, { rows: 8, cap: 8, givenUp: 192 });
  t.deepEqual(tables.budgets, { rows: 16, cap: 16, givenUp: 184 });
  t.deepEqual(tables.peers, { rows: 64, cap: 64, givenUp: r.k.stat('peerTableFull') });
  t.true(tables.peers.givenUp >= 1);
  t.deepEqual(tables.cells, { rows: 1, cap: 8, givenUp: 0 });
  t.deepEqual(tables.sessions, { rows: 0, cap: 16, givenUp: 0 });
  t.deepEqual(tables.calls, { rows: 0, cap: 32, givenUp: 0 });
});

type KernelStep = 'call' | 'bigCall' | 'ping' | 'announce' | 'ownCall' | 'bigOwnCall' | 'hello' | 'tick';

/** One step of the sessions the properties below drive into a kernel, 3 ms after the last: `n` varies the source, seq and sizes. */
function kernelStep(r: Awaited<ReturnType<typeof rig>>, kind: KernelStep, n: number): void {
  r.clock.now += 3;
  const src = 0x2000 + n;
  if (kind === 'call') r.k.onFrame(encodeFrame({ type: MsgType.CALL, flags: 0, src, dst: SELF, species: SPECIES, seq: n }, encodeCbor([0])));
  // Answers of 129..1024 bytes go to the large replay buffers.
  else if (kind === 'bigCall') r.k.onFrame(encodeFrame({ type: MsgType.CALL, flags: 0, src, dst: SELF, species: SPECIES, seq: n }, encodeCbor([0, new Uint8Array(n * 4)])));
  else if (kind === 'ping') r.k.onFrame(encodeFrame({ type: MsgType.PING, flags: 0, src, dst: SELF, species: 0, seq: 1 }, encodeCbor([r.clock.now])));
  else if (kind === 'announce') r.k.onFrame(announce(src, [SPECIES + n], []));
  else if (kind === 'ownCall') r.k.call(0, SPECIES + 1, encodeCbor([0]));
  else if (kind === 'bigOwnCall') r.k.call(0, SPECIES + 1, encodeCbor([0, new Uint8Array(n)]));
  else if (kind === 'hello') r.k.hello(src);
  else r.k.tick(r.clock.now);
}

test('k_table (property): no table ever holds more rows than its cap, and given-up counts never fall', async (t) => {
  const r = await rig({ cell: echoCell, config: { defaultRoute: 1 } });
  r.k.host(1, SPECIES);
  const kinds = fc.constantFrom<KernelStep>('call', 'ping', 'announce', 'ownCall', 'tick');
  let last = r.k.tables();
  fc.assert(
    fc.property(fc.array(fc.tuple(kinds, fc.integer({ min: 1, max: 400 })), { maxLength: 60 }), (steps) => {
      for (const [kind, n] of steps) {
        kernelStep(r, kind, n);
        const now = r.k.tables();
        for (const [name, row] of Object.entries(now)) {
          const before = last[name as keyof typeof last];
          if (!(row.rows >= 0 && row.rows <= row.cap && row.givenUp >= before.givenUp)) return false;
        }
        last = now;
      }
      return true;
    }),
    { numRuns: 60 },
  );
  t.true(last.peers.rows > 0, 'the property saw the tables fill');
});

const memoryOf = (k: KernelInstance) => new Uint8Array((k as unknown as { k: { memory: WebAssembly.Memory } }).k.memory.buffer);

test('the mcu kernel (build/kernel.wasm) declares its memory top MCU_KERNEL_BYTES and its data and tables end below it with less than 1 KiB to spare', async (t) => {
  const { builtFile } = await import('./fixtures/built.ts');
  const k = KernelInstance.instantiate(await KernelInstance.compile(builtFile('kernel.wasm')), { send: () => {}, now: () => 0, random: () => 1, cellCall: () => 0, deliver: () => {} });
  const bytes = memoryOf(k);
  t.is(bytes.length, 65536);
  t.is(k.memoryTop, MCU_KERNEL_BYTES);
  // Static data and every table are laid out and zero-filled at start; each heap block has a non-zero header.
  let used = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) used = i + 1;
  t.log(`heap ends at ${used}, top ${k.memoryTop}`);
  t.true(used <= k.memoryTop, `heap ends at ${used}, above the top ${k.memoryTop}`);
  // The board gives the kernel exactly the top: a loose top is RAM every board pays for nothing.
  t.true(k.memoryTop - used < 1024, `${k.memoryTop - used} bytes unused below the top: lower MCU_KERNEL_BYTES`);
});

test('the mcu kernel holds the table sizes of docs/protocol.toml [mcu_table]; the host kernel its own', async (t) => {
  const mcu = (await rig({ target: 'mcu' })).k.tables();
  const host = (await rig({ target: 'host' })).k.tables();
  const caps = (x: typeof mcu) => Object.fromEntries(Object.entries(x).map(([name, row]) => [name, row.cap]));
  t.like(caps(mcu), { peers: MCU_MAX_PEERS, cells: MCU_MAX_CELLS, calls: MCU_MAX_CALLS, sessions: MCU_MAX_SESSIONS, access: MCU_MAX_ACCESS, serve: MCU_MAX_SERVE, replay: MCU_MAX_SESSIONS * REPLAY_PER_CALLER + MCU_REPLAY_SHARED + MCU_REPLAY_LARGE });
  t.like(caps(host), { peers: 64, cells: 8, calls: 32, sessions: MAX_SESSIONS, access: MAX_ACCESS, serve: MAX_SERVE, replay: MAX_SESSIONS * REPLAY_PER_CALLER + 32 + 4 });
  t.is((await rig({ target: 'host' })).k.memoryTop, HOST_PAGES * 65536);
});

test('the mcu kernel (property): a session of calls, probes, announcements, own calls, handshakes and ticks never writes at or above k_memory_top', async (t) => {
  const r = await rig({ target: 'mcu', cell: echoCell, config: { defaultRoute: 1, open: 1 } });
  r.k.host(1, SPECIES);
  const bytes = memoryOf(r.k);
  const top = r.k.memoryTop;
  t.true(top < bytes.length, 'the mcu kernel uses less than its page');
  // Canary: every byte above the top is set; the kernel (which allocates nothing after start) must leave them so.
  bytes.fill(0xa5, top);
  const intact = () => bytes.subarray(top).every((b) => b === 0xa5);
  const kinds = fc.constantFrom<KernelStep>('call', 'bigCall', 'ping', 'announce', 'bigOwnCall', 'hello', 'tick');
  fc.assert(
    fc.property(fc.array(fc.tuple(kinds, fc.integer({ min: 1, max: 400 })), { maxLength: 60 }), (steps) => {
      for (const [kind, n] of steps) {
        kernelStep(r, kind, n);
        if (!intact()) return false;
      }
      return true;
    }),
    { numRuns: 60 },
  );
  const tables = r.k.tables();
  t.true(tables.peers.rows === tables.peers.cap && tables.replay.givenUp > 0, 'the session filled the tables');
  t.true(intact());
});
