// The rp2040 port (boards/runtime/platform/rp2040, host/board/build-rp2040.ts) in the rp2040js
// emulator: the image is built with arm-none-eabi-gcc for Cortex-M0+, boots through its boot2 and
// the chip bring-up, and runs the recorded session of test/fixtures/board-session.ts through
// UART0 with the board profile's 264 KiB of SRAM. Every line must match V8's transcript.
// The kernel alone and the kernel with echo both fit 264 KiB (docs/boards.md, "rp2040"); the
// whole three-cell session runs with the emulated SRAM enlarged.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { buildRp2040Image, rp2040Profile, rp2040ToolchainMissing } from '../host/board/build-rp2040.ts';
import { runRp2040 } from '../host/board/rp2040-emulator.ts';
import { scriptText, type BoardStep } from '../host/board/board-script.ts';
import { fromUf2, UF2_FAMILY_RP2040 } from '../host/board/uf2.ts';
import { FUEL, fixture, recordOnV8, SEED } from './fixtures/board-session.ts';

// rp2040js runs about 5-10 million instructions a second here; the kernel-alone session takes
// about 29 million. The budget only stops a hung image.
const BUDGET = 400_000_000;

function sessionInput(steps: BoardStep[], stackBytes: number): string {
  return scriptText([...steps, { op: 'mem' }], { seed: SEED, fuelPerCall: FUEL, stackBytes });
}

/** The session with the first `cells` of echo, spin, oom; `sramBytes` above 264 KiB is not an RP2040 (the image's RAM cap and the emulator's SRAM both grow). */
async function session(cells: number, sramBytes?: number) {
  const f = await fixture();
  const fx = { ...f, cellPaths: f.cellPaths.slice(0, cells) };
  const recorded = await recordOnV8(fx);
  const image = buildRp2040Image({ kernelPath: fx.kernelPath, cellPaths: fx.cellPaths, tag: `session-${cells}-${sramBytes ?? 'chip'}`, ramBytes: sramBytes });
  // The C stack's reserve and 16 KiB of heap below it are painted: a stack deeper than its reserve shows.
  const stackRegion = { from: image.stack.from - 16 * 1024, to: image.stack.to };
  const run = runRp2040(readFileSync(image.bin), sessionInput(recorded.steps, rp2040Profile().wasm3StackBytes), { maxInstructions: BUDGET, sramBytes, stackRegion });
  return { ...recorded, image, run };
}

test('the rp2040 image with the kernel alone answers the recorded session in rp2040js (264 KiB SRAM) byte for byte as V8', async (t) => {
  const missing = rp2040ToolchainMissing();
  if (missing) return t.fail(missing);
  const { steps, transcript, image, run } = await session(0);
  t.is(run.breakCode, 0, `the image ended with a BKPT 0 after "quit" (last lines: ${run.lines.slice(-3).join(' / ')})`);
  const got = run.lines.slice(0, transcript.length);
  const firstDiff = transcript.findIndex((line, i) => got[i] !== line);
  t.is(firstDiff, -1, firstDiff < 0 ? '' : `line ${firstDiff}: V8 ${transcript[firstDiff]} / board ${got[firstDiff]}`);
  t.true(transcript.filter((l) => l.startsWith('send ')).length > 20, 'the kernel sent frames (probes, announcements, answers)');
  const peak = Number(/^maxrss (\d+)$/.exec(run.lines[transcript.length] ?? '')?.[1]);
  t.true(peak > 0 && peak <= image.heapBytes, `heap high-water mark ${peak} of ${image.heapBytes} bytes`);
  // rp2040js logs an unaligned access (a HardFault on a real Cortex-M0+) or an unmodelled register as an error.
  t.deepEqual(run.errors, []);
  const reserve = image.stack.to - image.stack.from;
  t.true(run.stackBytesUsed! > 0 && run.stackBytesUsed! <= reserve, `the C stack went ${run.stackBytesUsed} bytes deep; its reserve is ${reserve}`);
  t.log(`${steps.length} steps, ${run.instructions} instructions in ${run.seconds.toFixed(1)} s (${(run.instructions / run.seconds / 1e6).toFixed(1)} M/s), heap peak ${peak} of ${image.heapBytes}, image ${image.flashBytes} bytes`);
});

test('a flipped input bit changes the rp2040 board\'s transcript (the comparison can fail)', async (t) => {
  const missing = rp2040ToolchainMissing();
  if (missing) return t.fail(missing);
  const f = await fixture();
  const { steps, transcript } = await recordOnV8({ ...f, cellPaths: [] });
  const i = steps.findIndex((s) => s.op === 'frame');
  const s = steps[i] as Extract<BoardStep, { op: 'frame' }>;
  const bytes = s.bytes.slice();
  bytes[bytes.length - 1]! ^= 1;
  const flipped = [...steps.slice(0, i), { ...s, bytes }, ...steps.slice(i + 1)];
  const image = buildRp2040Image({ kernelPath: f.kernelPath, cellPaths: [], tag: 'session-0-chip' });
  // The first 40 steps hold the flipped frame and its answer: enough to differ.
  const run = runRp2040(readFileSync(image.bin), sessionInput(flipped.slice(0, Math.max(40, i + 5)), 4096), { maxInstructions: BUDGET });
  const got = run.lines;
  t.true(got.some((line, k) => k < transcript.length && line !== transcript[k]), 'some line differs from V8\'s');
});

test('the kernel with echo in 264 KiB answers the recorded session byte for byte as V8', async (t) => {
  const missing = rp2040ToolchainMissing();
  if (missing) return t.fail(missing);
  const { transcript, run } = await session(1);
  const got = run.lines.slice(0, transcript.length);
  const firstDiff = transcript.findIndex((line, i) => got[i] !== line);
  t.is(firstDiff, -1, firstDiff < 0 ? '' : `line ${firstDiff}: V8 ${transcript[firstDiff]} / board ${got[firstDiff]}`);
  t.is(run.breakCode, 0);
  t.deepEqual(run.errors, []);
  t.log(`${run.instructions} instructions, C stack ${run.stackBytesUsed} bytes, heap peak ${run.lines[transcript.length]}`);
});

test('the Cortex-M0+ build runs the whole session (kernel, echo, spin out of fuel, oom out of memory) byte for byte as V8 when the emulated SRAM is enlarged to 1 MiB (not an RP2040: checks the M0+ code, not the RAM budget)', async (t) => {
  const missing = rp2040ToolchainMissing();
  if (missing) return t.fail(missing);
  const { transcript, run, image } = await session(3, 1024 * 1024);
  t.is(run.breakCode, 0, `the image ended with a BKPT 0 after "quit" (last lines: ${run.lines.slice(-3).join(' / ')})`);
  const got = run.lines.slice(0, transcript.length);
  const firstDiff = transcript.findIndex((line, i) => got[i] !== line);
  t.is(firstDiff, -1, firstDiff < 0 ? '' : `line ${firstDiff}: V8 ${transcript[firstDiff]} / board ${got[firstDiff]}`);
  t.true(transcript.filter((l) => l.startsWith('fuel ')).length >= 10, 'cells were called and their fuel compared');
  t.deepEqual(run.errors, []);
  t.true(run.stackBytesUsed! <= image.stack.to - image.stack.from, `the C stack went ${run.stackBytesUsed} bytes deep`);
  t.log(`${run.instructions} instructions in ${run.seconds.toFixed(1)} s, C stack ${run.stackBytesUsed} bytes, heap peak ${run.lines[transcript.length]}`);
});

test('the image\'s .uf2 holds exactly its .bin at 0x10000000 for the RP2040 family, and the bin starts with a boot2 whose CRC32 the bootrom accepts', async (t) => {
  const missing = rp2040ToolchainMissing();
  if (missing) return t.fail(missing);
  const f = await fixture();
  const image = buildRp2040Image({ kernelPath: f.kernelPath, cellPaths: [], tag: 'session-0-chip' });
  const bin = new Uint8Array(readFileSync(image.bin));
  const { baseAddress, image: fromFile } = fromUf2(new Uint8Array(readFileSync(image.uf2)), UF2_FAMILY_RP2040);
  t.is(baseAddress, 0x10000000);
  t.deepEqual(fromFile.subarray(0, bin.length), bin);
  t.true(fromFile.subarray(bin.length).every((b) => b === 0), 'only the last block\'s padding follows');
  const broken = bin.slice();
  broken[10]! ^= 0x80;
  t.throws(() => runRp2040(broken, '', { maxInstructions: 1000 }), { message: /boot2 CRC32 does not match/ });
});
