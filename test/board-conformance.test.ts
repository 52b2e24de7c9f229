// Conformance of the board runtime (boards/runtime, posix build on wasm3) with V8: the mcu kernel
// and cells get the same recorded frames, clock and random sequence on both, and every output
// frame, answer, log line and fuel figure must be byte-identical (issue #14, scope 6).
import test from 'ava';
import fc from 'fast-check';
import { KernelInstance } from '../host/runtime/kernel-instance.ts';
import { encodeCall } from '../host/sdk/call-codec.ts';
import { buildPosixBoard } from '../host/board/build-runtime.ts';
import { runPosixBoard, V8ScriptedBoard, type BoardStep } from '../host/board/board-script.ts';
import { builtFile } from './fixtures/built.ts';
import { BOARD, FUEL, fixture, PEER, recordOnV8, recordTwoNodes, SEED } from './fixtures/board-session.ts';
import { KERNEL_STATS } from '../host/runtime/kernel-stats.ts';
import { builtFixtureCell } from './fixtures/fixture-cells.ts';
import { REPO_ROOT } from '../host/build/paths.ts';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';

const fx = fixture();
const recorded = fx.then(recordOnV8);
const binary = Promise.resolve().then(() => buildPosixBoard());

test('the recorded session exercises calls, errors, traps and fuel', async (t) => {
  const { transcript } = await recorded;
  const sends = transcript.filter((l) => l.startsWith('send ')).length;
  const fuel = transcript.filter((l) => l.startsWith('fuel ')).map((l) => Number(l.split(' ')[2]));
  t.true(sends > 20, `${sends} frames sent`);
  t.true(fuel.length >= 10, `${fuel.length} cell calls`);
  t.true(fuel.includes(FUEL), 'one call ran out of fuel');
  const sent = transcript.filter((l) => l.startsWith('send ')).join(' ');
  for (const text of ['out of fuel after', 'out of memory: ', 'no thanks', 'hello board']) {
    t.true(sent.includes(Buffer.from(text).toString('hex')), `an answer carries "${text}"`);
  }
});

test('the posix board on wasm3 answers the recorded session byte for byte as V8 does', async (t) => {
  const f = await fx;
  const { steps, transcript } = await recorded;
  const got = await runPosixBoard(await binary, { ...f, seed: SEED, fuelPerCall: FUEL }, steps);
  const firstDiff = transcript.findIndex((line, i) => got[i] !== line);
  t.is(firstDiff, -1, firstDiff < 0 ? '' : `line ${firstDiff}: V8 ${transcript[firstDiff]} / board ${got[firstDiff]}`);
  t.is(got.length, transcript.length);
});

test('wasm traps (unreachable, out-of-bounds load, divide by zero, INT_MIN / -1) answer in V8\'s words on the board; a remainder by zero is the one difference', async (t) => {
  const f = await fx;
  const dir = join(REPO_ROOT, 'build', 'test-cells', 'board');
  const trapPath = join(dir, 'trap.wasm');
  writeFileSync(trapPath, await builtFixtureCell('trap'));
  const traps = { ...f, cellPaths: [trapPath] };
  const kinds = [1, 2, 3, 5, 9];
  const { steps, transcript } = await recordOnV8(traps, kinds.map((k) => [1, new Uint8Array([k])]));
  const sent = transcript.filter((l) => l.startsWith('send ')).join(' ');
  for (const text of ['trap: unreachable', 'trap: memory access out of bounds', 'trap: divide by zero', 'trap: divide result unrepresentable']) {
    t.true(sent.includes(Buffer.from(text).toString('hex')), `V8 answers "${text}"`);
  }
  const got = await runPosixBoard(await binary, { ...traps, seed: SEED, fuelPerCall: FUEL }, steps);
  const firstDiff = transcript.findIndex((line, i) => got[i] !== line);
  t.is(firstDiff, -1, firstDiff < 0 ? '' : `line ${firstDiff}: V8 ${transcript[firstDiff]} / board ${got[firstDiff]}`);
  t.is(got.length, transcript.length);
  // wasm3 has one trap for division and remainder by zero (docs/boards.md, Trap texts).
  const rem = await recordOnV8(traps, [[1, new Uint8Array([4])]]);
  const remBoard = (await runPosixBoard(await binary, { ...traps, seed: SEED, fuelPerCall: FUEL }, rem.steps)).filter((l) => l.startsWith('send ')).join(' ');
  t.true(rem.transcript.join(' ').includes(Buffer.from('trap: remainder by zero').toString('hex')));
  t.true(remBoard.includes(Buffer.from('trap: divide by zero').toString('hex')));
});

test('with `count` on, the board holds each call\'s output and prints it after the count: the transcript is V8\'s plus one ticks line per counted step', async (t) => {
  const f = await fx;
  const { steps, transcript } = await recorded;
  // `count` itself prints only `ok`; every counted frame, call and tick adds a `ticks` line (-1 on posix: no counter).
  const got = await runPosixBoard(await binary, { ...f, seed: SEED, fuelPerCall: FUEL }, [{ op: 'count' }, ...steps]);
  const counted = steps.filter((s) => s.op === 'frame' || s.op === 'call' || s.op === 'tick').length;
  t.is(got.filter((l) => l === 'ticks -1').length, counted);
  const withoutTicks = got.filter((l) => !l.startsWith('ticks '));
  t.deepEqual([withoutTicks[0], ...withoutTicks.slice(2)], transcript, 'the same lines in the same order, once the ok of `count` is taken out');
});

test('two boards, three simulated minutes with a lossy line between them: each answers as V8 does, frame for frame', async (t) => {
  const f = await fx;
  const run = await recordTwoNodes(f, 180);
  const stat = (tr: string[], name: string) => {
    // The stats come last, one `result N` + `ok` per id, in KERNEL_STATS order.
    const results = tr.filter((l) => l.startsWith('result ')).slice(-KERNEL_STATS.length);
    return Number(results[KERNEL_STATS.indexOf(name as never)]!.split(' ')[1]);
  };
  for (const side of ['a', 'b'] as const) {
    const { steps, transcript } = run[side];
    // What the conversation exercised, so the comparison covers it.
    for (const name of ['probesSent', 'pongsRx', 'announcesRx', 'callsSent', 'callsServed', 'repliesDelivered', 'retries', 'duplicateCalls']) {
      t.true(stat(transcript, name) > 0, `${side}: ${name} = ${stat(transcript, name)}`);
    }
    const got = await runPosixBoard(await binary, { kernelPath: f.kernelPath, cellPaths: [f.cellPaths[0]!], seed: side === 'a' ? SEED : SEED ^ 0x5a5a5a5a, fuelPerCall: FUEL }, steps);
    const firstDiff = transcript.findIndex((line, i) => got[i] !== line);
    t.is(firstDiff, -1, firstDiff < 0 ? '' : `${side} line ${firstDiff}: V8 ${transcript[firstDiff]} / board ${got[firstDiff]}`);
    t.is(got.length, transcript.length);
  }
});

test('the board\'s SHA-256 (as-sha256 under wasm3) equals @noble/hashes at every block boundary, and the NIST vector', async (t) => {
  const f = await fx;
  const lengths = [0, 1, 3, 55, 56, 63, 64, 65, 119, 120, 511, 512, 513, 1000, 2048]; // 2 KiB: the script line's largest field
  const steps: BoardStep[] = lengths.map((n) => ({ op: 'sha256', bytes: n === 3 ? new TextEncoder().encode('abc') : Uint8Array.from({ length: n }, (_, i) => (i * 131 + n) & 255) }));
  const v8 = await V8ScriptedBoard.create({ kernel: builtFile('kernel.wasm'), cells: [], seed: SEED, fuelPerCall: FUEL });
  for (const s of steps) v8.step(s);
  t.true(v8.transcript.includes('sha256 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'), 'FIPS 180-2 "abc"');
  const got = await runPosixBoard(await binary, { kernelPath: f.kernelPath, cellPaths: [], seed: SEED, fuelPerCall: FUEL }, steps);
  t.deepEqual(got, v8.transcript);
});

test('a script line longer than the board\'s line buffer is answered with an error, not run on a cut field', async (t) => {
  const f = await fx;
  const steps: BoardStep[] = [{ op: 'sha256', bytes: new Uint8Array(2100) }, { op: 'sha256', bytes: new Uint8Array(2048) }]; // 4,207 and 4,103 characters
  const got = await runPosixBoard(await binary, { kernelPath: f.kernelPath, cellPaths: [], seed: SEED, fuelPerCall: FUEL }, steps);
  const i = got.findIndex((l) => l.startsWith('error') || l.startsWith('sha256'));
  t.is(got[i], 'error line over 4159 bytes: step dropped', got.join(' / '));
  t.regex(got[i + 1]!, /^sha256 [0-9a-f]{64}$/, 'the next step runs');
});

test('one byte changed in one input frame changes the board transcript (the comparison can fail)', async (t) => {
  const f = await fx;
  const { steps, transcript } = await recorded;
  const i = steps.findIndex((s) => s.op === 'frame' && s.bytes.length > 24);
  const bad = steps.slice();
  const frame = (bad[i] as { op: 'frame'; bytes: Uint8Array }).bytes.slice();
  frame[frame.length - 1]! ^= 0x01;
  bad[i] = { op: 'frame', bytes: frame };
  const got = await runPosixBoard(await binary, { ...f, seed: SEED, fuelPerCall: FUEL }, bad);
  t.notDeepEqual(got, transcript);
});

/** Starts the posix board in serial mode, writes `noise` then a framed echo CALL from a peer kernel, and returns the frame answering it. */
async function callOverSerial(f: Awaited<typeof fx>, noise: Uint8Array, text: string): Promise<{ reply: Uint8Array; peer: KernelInstance }> {
  const { spawn } = await import('node:child_process');
  const { encodeSerialFrame, SerialDeframer } = await import('../host/wire/serial-framing.ts');
  const board = spawn(await binary, ['--kernel', f.kernelPath, '--cell', `${f.cellPaths[0]}:1`, '--node', String(BOARD)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const want = Buffer.from(text);
  const reply = new Promise<Uint8Array>((resolve, reject) => {
    // The board also sends probes and announcements of its own; wait for the answer.
    const deframer = new SerialDeframer((frame) => {
      if (Buffer.from(frame).includes(want)) resolve(frame);
    });
    board.stdout.on('data', (d: Buffer) => deframer.push(d));
    board.on('exit', (code) => reject(new Error(`the board exited (${code}) before answering`)));
  });
  let sent: Uint8Array | undefined;
  const peer = KernelInstance.instantiate(await KernelInstance.compile(builtFile('kernel.wasm')), {
    send: (fr) => (sent = fr.slice()), now: () => 0, random: () => 4, cellCall: () => 0, deliver: () => {},
  });
  peer.init(PEER, 0);
  if (peer.call(BOARD, 1, encodeCall(f.echoSchema, 'echo', [text])) < 0) throw new Error('the peer kernel refused the call');
  board.stdin.on('error', () => {});
  board.stdin.write(noise);
  board.stdin.write(encodeSerialFrame(sent!));
  try {
    return { reply: await reply, peer };
  } finally {
    board.stdin.end();
    board.kill();
  }
}

test('serial mode: a CALL framed with COBS + CRC on the board\'s stdin is answered by a framed REPLY on its stdout', async (t) => {
  // Line noise first: the board must drop it and stay in step for the real frame.
  const { reply, peer } = await callOverSerial(await fx, new Uint8Array([0x13, 0x37, 0x00, 0x05, 0x00]), 'over the wire');
  t.is(peer.onFrame(reply), 0, 'the peer kernel accepts the board\'s REPLY frame');
  t.is(peer.stats().repliesDelivered, 1);
});

test('serial mode: whatever bytes come first, the next good frame is answered (property)', async (t) => {
  const f = await fx;
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (noise) => {
      const { reply, peer } = await callOverSerial(f, noise, 'after noise');
      return peer.onFrame(reply) === 0;
    }),
    { numRuns: 12 },
  );
  t.pass();
});

test('wasm3 built with its embedded default d_m3CascadedOpcodes=0 cannot run the kernel (why the board builds with 1)', async (t) => {
  const f = await fx;
  const { steps, transcript } = await recorded;
  const embeddedDefault = buildPosixBoard(undefined, { name: 'cascaded0', defines: ['-Dd_m3CascadedOpcodes=0'] });
  // It must fail cleanly: an error line, then the kernel stays stopped, and the process exits 0.
  const got = await runPosixBoard(embeddedDefault, { ...f, seed: SEED, fuelPerCall: FUEL }, steps);
  t.notDeepEqual(got, transcript);
  t.true(got.some((l) => l.startsWith('error kernel stopped: ')), 'later kernel calls answer that the kernel stopped');
  t.true(got.some((l) => l.includes('incorrect type on stack')), 'the board reports why wasm3 could not run the kernel');
});
