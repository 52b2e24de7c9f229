// Conformance of the board runtime (boards/runtime, posix build on wasm3) with V8: the mcu kernel
// and cells get the same recorded frames, clock and random sequence on both, and every output
// frame, answer, log line and fuel figure must be byte-identical (issue #14, scope 6).
import test from 'ava';
import { join } from 'node:path';
import { KernelInstance } from '../host/runtime/kernel-instance.ts';
import { encodeCall } from '../host/sdk/call-codec.ts';
import type { CellSchema } from '../host/sdk/schema.ts';
import { buildPosixBoard } from '../host/board/build-runtime.ts';
import { runPosixBoard, V8ScriptedBoard, type BoardStep } from '../host/board/board-script.ts';
import { builtFile } from './fixtures/built.ts';
import { builtFixtureCell } from './fixtures/fixture-cells.ts';
import { REPO_ROOT } from '../host/build/paths.ts';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const BOARD = 0xa1b2c3d4;
const PEER = 0x11223344;
const FUEL = 2_000_000;
const SEED = 0x2545f491;

interface Fixture {
  kernelPath: string;
  cellPaths: string[];
  echoSchema: CellSchema;
}

async function fixture(): Promise<Fixture> {
  // The board reads modules from files, as it maps them from flash.
  const dir = join(REPO_ROOT, 'build', 'test-cells', 'board');
  mkdirSync(dir, { recursive: true });
  const fixturePath = async (name: 'spin' | 'oom') => {
    const path = join(dir, `${name}.wasm`);
    writeFileSync(path, await builtFixtureCell(name));
    return path;
  };
  const spin = { wasmPath: await fixturePath('spin') };
  const oom = { wasmPath: await fixturePath('oom') };
  builtFile('kernel.wasm'); // a clear message when the build is missing
  const echoSchema = (JSON.parse(readFileSync(join(REPO_ROOT, 'build', 'cells', 'echo.schema.json'), 'utf8')) as { schema: CellSchema }).schema;
  return {
    kernelPath: join(REPO_ROOT, 'build', 'kernel.wasm'),
    cellPaths: [join(REPO_ROOT, 'build', 'cells', 'echo.wasm'), spin.wasmPath, oom.wasmPath],
    echoSchema,
  };
}

/**
 * Records a session of the board on V8 with a peer kernel beside it: the peer's calls and its
 * answers to the board's probes become the board's input frames. Returns the steps and V8's transcript.
 */
async function recordOnV8(fx: Fixture): Promise<{ steps: BoardStep[]; transcript: string[] }> {
  const cells = fx.cellPaths.map((p) => new Uint8Array(readFileSync(p)));
  const board = await V8ScriptedBoard.create({ kernel: new Uint8Array(readFileSync(fx.kernelPath)), cells, seed: SEED, fuelPerCall: FUEL });
  const steps: BoardStep[] = [];
  const run = (s: BoardStep) => { steps.push(s); board.step(s); };
  let peerNow = 0;
  const toBoard: Uint8Array[] = [];
  let seq = 1;
  const peer = KernelInstance.instantiate(await KernelInstance.compile(builtFile('kernel.wasm')), {
    send: (f) => toBoard.push(f.slice()), now: () => peerNow, random: () => (seq = (seq * 1103515245 + 12345) >>> 0),
    cellCall: () => 0, deliver: () => {},
  });
  run({ op: 'now', ms: 0 });
  run({ op: 'init', node: BOARD });
  cells.forEach((_, slot) => run({ op: 'host', slot, species: slot + 1 }));
  peer.init(PEER, 0);
  const echo = (method: string, args: unknown[]) => encodeCall(fx.echoSchema, method, args);
  const calls: Array<[number, Uint8Array]> = [
    [1, echo('echo', ['hello board'])], [1, echo('add', [40, 2])], [1, echo('reverse', [new Uint8Array([1, 2, 3, 250])])],
    [1, echo('refuse', ['no thanks'])], [2, new Uint8Array([1])], [2, new Uint8Array([7, 8, 9])],
    [3, new Uint8Array([1])], [3, new Uint8Array([2])], [1, echo('count', [])], [1, new Uint8Array([0xff, 0x00])],
  ];
  for (let t = 0; t <= 30_000; t += 250) {
    run({ op: 'now', ms: t });
    peerNow = t;
    run({ op: 'tick' });
    peer.tick(t);
    const i = t / 250;
    if (i % 5 === 2 && calls.length > 0) {
      const [species, payload] = calls.shift()!;
      peer.call(BOARD, species, payload);
    }
    // Frames cross in both directions until the line is quiet.
    for (let round = 0; round < 4 && (toBoard.length > 0 || board.outbox.length > 0); round++) {
      for (const f of toBoard.splice(0)) run({ op: 'frame', bytes: f });
      for (const f of board.outbox.splice(0)) peer.onFrame(f);
    }
  }
  for (let id = 0; id < 53; id++) run({ op: 'stat', id });
  return { steps, transcript: board.transcript };
}

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

test('serial mode: a CALL framed with COBS + CRC on the board\'s stdin is answered by a framed REPLY on its stdout', async (t) => {
  const f = await fx;
  const { spawn } = await import('node:child_process');
  const { encodeSerialFrame, SerialDeframer } = await import('../host/wire/serial-framing.ts');
  const board = spawn(await binary, ['--kernel', f.kernelPath, '--cell', `${f.cellPaths[0]}:1`, '--node', String(BOARD)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const answers: Uint8Array[] = [];
  const got = new Promise<void>((resolve) => {
    // The board also sends probes and announcements of its own; wait for the answer.
    const deframer = new SerialDeframer((frame) => {
      answers.push(frame);
      if (Buffer.from(frame).includes(Buffer.from('over the wire'))) resolve();
    });
    board.stdout.on('data', (d: Buffer) => deframer.push(d));
  });
  let sent: Uint8Array | undefined;
  const peer = KernelInstance.instantiate(await KernelInstance.compile(builtFile('kernel.wasm')), {
    send: (fr) => (sent = fr.slice()), now: () => 0, random: () => 4, cellCall: () => 0,
    deliver: (kind, _seq, src, payload) => t.log(`deliver ${kind} from ${src}: ${payload.length} bytes`),
  });
  peer.init(PEER, 0);
  t.true(peer.call(BOARD, 1, encodeCall(f.echoSchema, 'echo', ['over the wire'])) >= 0);
  // Line noise first: the board must drop it and stay in step for the real frame.
  board.stdin.write(new Uint8Array([0x13, 0x37, 0x00, 0x05, 0x00]));
  board.stdin.write(encodeSerialFrame(sent!));
  await got;
  board.stdin.end();
  board.kill();
  const reply = answers.find((a) => Buffer.from(a).includes(Buffer.from('over the wire')));
  t.truthy(reply, 'a frame from the board carries the echoed text');
  t.is(peer.onFrame(reply!), 0, 'the peer kernel accepts the board\'s REPLY frame');
  t.is(peer.stats().repliesDelivered, 1);
});
