// Deferred answers (docs/abi.md): a host answers hal.cell_call with -CELL_DEFERRED and later calls
// k_answer, as a gateway does for its board. Two built kernels on a virtual clock, open mode: the
// caller's retries while the answer is pending run nothing, the answer reaches the caller once,
// later retransmissions get it from the replay cache, and an answer nobody waits for is refused.
import test from 'ava';
import fc from 'fast-check';
import { KernelInstance, type KernelHal } from '../host/runtime/kernel-instance.ts';
import { decodeHeader, encodeFrame, MsgType } from '../host/wire/header.ts';
import { CELL_DEFERRED, KernelResult } from '../host/wire/protocol-table.ts';
import { ErrorCode, encodeErrorPayload } from '../host/wire/error-codes.ts';
import { decodeCbor, encodeCbor } from '../host/wire/cbor.ts';
import { kernelWasm } from './fixtures/built.ts';

const CALLER = 0x0a0a0a0a;
const SERVER = 0x5e5e5e5e;
const SPECIES = 0x0ec40ec4;
const module = WebAssembly.compile(kernelWasm() as Uint8Array<ArrayBuffer>);

interface Deferred { src: number; species: number; seq: number }

/** A caller and a server kernel; the server defers every call and records what it deferred. */
async function pair() {
  const clock = { now: 0 };
  const toServer: Uint8Array[] = [];
  const toCaller: Uint8Array[] = [];
  const deferred: Deferred[] = [];
  const delivered: Array<{ kind: number; seq: number; payload: unknown }> = [];
  const quiet = (k: KernelInstance, id: number) => {
    k.configure('probeIntervalMs', 0);
    k.configure('announceIntervalMs', 0);
    k.configure('open', 1);
    k.init(id, 0);
  };
  const callerHal: KernelHal = {
    send: (f) => toServer.push(f.slice()), now: () => clock.now, random: () => 4, cellCall: () => 0,
    deliver: (kind, seq, _src, payload) => delivered.push({ kind, seq, payload: decodeCbor(payload) }),
  };
  const serverHal: KernelHal = {
    send: (f) => toCaller.push(f.slice()), now: () => clock.now, random: () => 5, deliver: () => {},
    cellCall: (_slot, input) => {
      // The CALL's header is the 20 bytes before the payload (docs/abi.md, cell_call).
      const h = decodeHeader(new Uint8Array(input.buffer, input.byteOffset - 20, 20 + input.length));
      deferred.push({ src: h.src, species: h.species, seq: h.seq });
      return -CELL_DEFERRED;
    },
  };
  const caller = KernelInstance.instantiate(await module, callerHal);
  const server = KernelInstance.instantiate(await module, serverHal);
  quiet(caller, CALLER);
  quiet(server, SERVER);
  server.host(1, SPECIES);
  caller.addPeer(SERVER);
  const flush = (drop = () => false) => {
    for (let round = 0; round < 4; round++) {
      for (const f of toServer.splice(0)) if (!drop()) server.onFrame(f);
      for (const f of toCaller.splice(0)) if (!drop()) caller.onFrame(f);
    }
  };
  /** Moves the clock to `t`, ticking both kernels on the way, and delivers what they send. */
  const until = (t: number, drop?: () => boolean) => {
    while (clock.now < t) {
      clock.now = Math.min(t, caller.nextWake, server.nextWake, clock.now + 100);
      caller.tick(clock.now);
      server.tick(clock.now);
      flush(drop);
    }
  };
  return { clock, caller, server, deferred, delivered, flush, until, toCaller };
}

test('a deferred call sends nothing; retries while it is pending run nothing; the answer reaches the caller once', async (t) => {
  const p = await pair();
  const seq = p.caller.call(SERVER, SPECIES, encodeCbor(['hi']));
  t.true(seq >= 0);
  p.flush();
  t.deepEqual(p.deferred, [{ src: CALLER, species: SPECIES, seq }]);
  t.is(p.delivered.length, 0);
  p.until(2500); // the caller retries (its first timeout: 2 s to a peer never measured)
  t.is(p.deferred.length, 1, 'the retransmission did not run the call again');
  t.true(p.server.stats().pendingDuplicates >= 1, 'and was counted');
  t.is(p.delivered.length, 0);
  t.is(p.server.answer(CALLER, SPECIES, seq, encodeCbor('from the board')), 0);
  p.flush();
  t.deepEqual(p.delivered, [{ kind: MsgType.REPLY, seq, payload: 'from the board' }]);
  t.is(p.server.stats().callsServed, 1);
  // Answered twice: refused, nothing sent.
  t.is(p.server.answer(CALLER, SPECIES, seq, encodeCbor('again')), -KernelResult.NOT_PENDING);
  t.is(p.toCaller.length, 0);
});

test('a retransmission after the answer gets it from the replay cache; an ERROR answer is an ERROR; unknown answers are refused', async (t) => {
  const p = await pair();
  const seq = p.caller.call(SERVER, SPECIES, encodeCbor(['x']));
  p.flush();
  const call = p.deferred[0]!;
  t.is(p.server.answer(call.src, call.species, call.seq, encodeErrorPayload(ErrorCode.TIMEOUT, 'board did not answer'), true), 0);
  p.flush();
  t.is(p.delivered[0]!.kind, MsgType.ERROR);
  t.deepEqual(p.delivered[0]!.payload, [ErrorCode.TIMEOUT, 'board did not answer']);
  // The same CALL again (as a lost REPLY would make the caller send): answered from the cache.
  const before = p.server.stats().duplicateCalls;
  p.server.onFrame(encodeFrame({ type: MsgType.CALL, flags: 0, src: call.src, dst: SERVER, species: call.species, seq: call.seq }, encodeCbor(['x'])));
  t.is(p.server.stats().duplicateCalls, before + 1);
  t.is(p.deferred.length, 1);
  t.is(decodeHeader(p.toCaller.at(-1)!).type, MsgType.ERROR);
  // Never deferred: another seq, another caller, another species.
  t.is(p.server.answer(call.src, call.species, (seq + 1) & 0xffff, encodeCbor(1)), -KernelResult.NOT_PENDING);
  t.is(p.server.answer(0x12345678, call.species, call.seq, encodeCbor(1)), -KernelResult.NOT_PENDING);
  t.is(p.server.answer(call.src, 0x1, call.seq, encodeCbor(1)), -KernelResult.NOT_PENDING);
});

test('an answer larger than a frame goes as TOO_LARGE', async (t) => {
  const p = await pair();
  p.caller.call(SERVER, SPECIES, encodeCbor(['big']));
  p.flush();
  const call = p.deferred[0]!;
  t.is(p.server.answer(call.src, call.species, call.seq, new Uint8Array(5000)), 0);
  p.flush();
  t.is(p.delivered[0]!.kind, MsgType.ERROR);
  t.is((p.delivered[0]!.payload as unknown[])[0], ErrorCode.TOO_LARGE);
});

test('property: whatever frames are lost and whenever the answer comes, the call runs once and the caller gets that answer or a TIMEOUT', async (t) => {
  await fc.assert(fc.asyncProperty(
    fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), // lose the n-th frame?
    fc.integer({ min: 0, max: 20_000 }), // when the server answers (ms)
    fc.string({ maxLength: 40 }),
    async (losses, answerAt, text) => {
      const p = await pair();
      let n = 0;
      const drop = () => losses[n++ % losses.length]!;
      const seq = p.caller.call(SERVER, SPECIES, encodeCbor([text]));
      p.flush(drop);
      p.until(answerAt, drop);
      const call = p.deferred[0];
      const answered = call ? p.server.answer(call.src, call.species, call.seq, encodeCbor(text)) : -1;
      p.flush(drop);
      p.until(answerAt + 30_000, drop);
      if (p.deferred.length > 1) return false; // ran twice
      if (p.delivered.length !== 1) return false; // exactly one outcome
      const d = p.delivered[0]!;
      if (d.seq !== seq) return false;
      if (d.kind === MsgType.REPLY) return answered === 0 && d.payload === text;
      return d.kind === MsgType.ERROR && (d.payload as unknown[])[0] === ErrorCode.TIMEOUT;
    },
  ), { numRuns: 200 });
  t.pass();
});
