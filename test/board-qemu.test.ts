// The same recorded session as test/board-conformance.test.ts, on the emulated Cortex-M4 board
// (qemu-mps2-an386): the kernel and cells linked into flash, the steps through UART0, RAM capped
// by the linker script. Every line must match V8's transcript.
import test, { type ExecutionContext } from 'ava';
import { armToolchainMissing, buildQemuImage, C_STACK_BYTES, qemuArgs, qemuWasm3StackBytes } from '../host/board/build-qemu.ts';
import { runQemuBoard, V8ScriptedBoard, type BoardStep } from '../host/board/board-script.ts';
import { KernelInstance } from '../host/runtime/kernel-instance.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../host/build/paths.ts';
import { builtFile } from './fixtures/built.ts';
import { BOARD, FUEL, fixture, freshCallerFrames, PEER, recordOnV8, recordTwoNodes, SEED } from './fixtures/board-session.ts';
import { builtFixtureCell } from './fixtures/fixture-cells.ts';
import { MCU_KERNEL_BYTES } from '../host/wire/protocol-table.ts';
import { withMemoryTop } from './fixtures/memory-top.ts';
import { mkdirSync, writeFileSync } from 'node:fs';

// Three cells and the kernel: each wasm3 instance holds a 64 KiB linear memory and its code pages.
const RAM = 1024 * 1024;
const STACK = qemuWasm3StackBytes(); // the profile's, as `cell flash` gives it

/**
 * The board's transcript without the `cstack` step's lines (`cstack N`, `ok`), checking N: how
 * much of the painted C stack the session used. It must leave at least 1 KiB of the C stack untouched, so the figure shows room,
 * not luck (wasm calls trap 1.5 KiB above the heap: main.c, platform_native_stack_limit).
 */
function cStackUsed(t: ExecutionContext, got: string[]): string[] {
  const line = got.find((l) => l.startsWith('cstack '));
  t.truthy(line, 'the board printed its C stack figure');
  const used = Number(line?.split(' ')[1]);
  t.log(`C stack high-water mark: ${used} of ${C_STACK_BYTES} bytes`);
  t.true(used > 0 && used + 1024 <= C_STACK_BYTES, `C stack high-water mark ${used} bytes, ${C_STACK_BYTES} reserved`);
  const at = got.indexOf(line!);
  t.is(got[at + 1], 'ok');
  return [...got.slice(0, at), ...got.slice(at + 2)];
}

test('the qemu-mps2-an386 board answers the recorded session byte for byte as V8 does', async (t) => {
  const missing = armToolchainMissing();
  if (missing) return t.fail(missing);
  const f = await fixture();
  const { steps, transcript } = await recordOnV8(f);
  const image = buildQemuImage({ kernelPath: f.kernelPath, cellPaths: f.cellPaths, ramBytes: RAM, tag: 'conformance' });
  const got = cStackUsed(t, await runQemuBoard({ command: 'qemu-system-arm', args: qemuArgs(image.elf) }, { seed: SEED, fuelPerCall: FUEL, stackBytes: STACK }, [...steps, { op: 'cstack' }]));
  const firstDiff = transcript.findIndex((line, i) => got[i] !== line);
  t.is(firstDiff, -1, firstDiff < 0 ? '' : `line ${firstDiff}: V8 ${transcript[firstDiff]} / board ${got[firstDiff]}`);
  t.is(got.length, transcript.length);
});

test('side A of the two-board run (three simulated minutes, lossy line) on the QEMU board, byte for byte as V8', async (t) => {
  const missing = armToolchainMissing();
  if (missing) return t.fail(missing);
  const f = await fixture();
  const { a } = await recordTwoNodes(f, 180);
  const image = buildQemuImage({ kernelPath: f.kernelPath, cellPaths: [f.cellPaths[0]!], ramBytes: RAM, tag: 'two-nodes' });
  const got = cStackUsed(t, await runQemuBoard({ command: 'qemu-system-arm', args: qemuArgs(image.elf) }, { seed: SEED, fuelPerCall: FUEL, stackBytes: STACK }, [...a.steps, { op: 'cstack' }]));
  const firstDiff = a.transcript.findIndex((line, i) => got[i] !== line);
  t.is(firstDiff, -1, firstDiff < 0 ? '' : `line ${firstDiff}: V8 ${a.transcript[firstDiff]} / board ${got[firstDiff]}`);
  t.is(got.length, a.transcript.length);
});

test('every function of the kernel and the example cells compiles within the board\'s wasm3 stack height (the image compiles them all at start-up)', async (t) => {
  const missing = armToolchainMissing();
  if (missing) return t.fail(missing);
  const f = await fixture();
  const cells = ['echo', 'kv', 'exchange'].map((c) => join(REPO_ROOT, 'build', 'cells', `${c}.wasm`));
  const image = buildQemuImage({ kernelPath: f.kernelPath, cellPaths: cells, ramBytes: RAM, tag: 'eager', defines: ['-DBOARD_EAGER_COMPILE'] });
  const got = await runQemuBoard({ command: 'qemu-system-arm', args: qemuArgs(image.elf) }, { seed: SEED, fuelPerCall: FUEL, stackBytes: STACK }, [{ op: 'now', ms: 0 }, { op: 'init', node: BOARD }]);
  t.deepEqual(got.filter((l) => !l.startsWith('log ')), ['ready', 'ok', 'ok']);
});

test('replacing a trapped cell 50 times on the QEMU board does not grow its heap', async (t) => {
  const missing = armToolchainMissing();
  if (missing) return t.fail(missing);
  const f = await fixture();
  const spin = f.cellPaths[1]!; // byte 0 == 1 spins until the meter stops it: a trap every call
  const fuel = 100_000;
  const frames = await freshCallerFrames(builtFile('kernel.wasm'), 50, 1, new Uint8Array([1]));
  const steps: BoardStep[] = [{ op: 'now', ms: 0 }, { op: 'init', node: BOARD }, { op: 'host', slot: 0, species: 1 }, ...frames];
  const v8 = await V8ScriptedBoard.create({ kernel: builtFile('kernel.wasm'), cells: [new Uint8Array(readFileSync(spin))], seed: SEED, fuelPerCall: fuel });
  for (const s of steps) v8.step(s);
  const image = buildQemuImage({ kernelPath: f.kernelPath, cellPaths: [spin], ramBytes: RAM, tag: 'replace' });
  const got = await runQemuBoard({ command: 'qemu-system-arm', args: qemuArgs(image.elf) }, { seed: SEED, fuelPerCall: fuel, stackBytes: STACK }, steps);
  t.deepEqual(got.filter((l) => !l.startsWith('maxrss ')), v8.transcript, 'the same answers and fuel as V8');
  t.is(got.filter((l) => l === `fuel 0 ${fuel}`).length, 50, 'every call ran out of fuel');
  const heap = got.filter((l) => l.startsWith('maxrss ')).map((l) => Number(l.split(' ')[1]));
  t.is(heap.length, 2);
  t.is(heap[1], heap[0], `heap high-water mark after 2 replacements ${heap[0]} bytes, after 50 ${heap[1]} bytes`);
});

test('a cell that recurses without end traps on the QEMU board\'s C-stack floor, and the board answers the next call as V8 does', async (t) => {
  const missing = armToolchainMissing();
  if (missing) return t.fail(missing);
  const f = await fixture();
  const dir = join(REPO_ROOT, 'build', 'test-cells', 'board');
  mkdirSync(dir, { recursive: true });
  const recurse = join(dir, 'recurse.wasm');
  writeFileSync(recurse, await builtFixtureCell('recurse'));
  const module = await KernelInstance.compile(builtFile('kernel.wasm'));
  let sent: Uint8Array[] = [];
  const peer = KernelInstance.instantiate(module, { send: (fr) => sent.push(fr.slice()), now: () => 0, random: () => 9, cellCall: () => 0, deliver: () => {} });
  peer.init(PEER, 0);
  const callFrames = (payload: number[]): BoardStep[] => {
    sent = [];
    t.true(peer.call(BOARD, 1, new Uint8Array(payload)) >= 0);
    return sent.map((bytes) => ({ op: 'frame', bytes }));
  };
  const deep = callFrames([1]); // byte 0 == 1: down(n) calls itself until something stops it
  const echo = callFrames([5, 6, 7]);
  const steps: BoardStep[] = [{ op: 'now', ms: 0 }, { op: 'init', node: BOARD }, { op: 'host', slot: 0, species: 1 }, ...deep, ...echo];
  const v8 = await V8ScriptedBoard.create({ kernel: builtFile('kernel.wasm'), cells: [new Uint8Array(readFileSync(recurse))], seed: SEED, fuelPerCall: FUEL });
  for (const s of steps) v8.step(s);
  const image = buildQemuImage({ kernelPath: f.kernelPath, cellPaths: [recurse], ramBytes: RAM, tag: 'recurse' });
  const got = cStackUsed(t, await runQemuBoard({ command: 'qemu-system-arm', args: qemuArgs(image.elf) }, { seed: SEED, fuelPerCall: FUEL, stackBytes: STACK }, [...steps, { op: 'cstack' }]));
  // The deep call's lines differ from V8's (the fuel spent before the trap: the stacks hold different depths);
  // every step before and after it must match.
  const chunks = (lines: string[]) => lines.join('\n').split('\nok').map((c) => c.trim());
  const [b, v] = [chunks(got), chunks(v8.transcript)];
  const at = 1 + 3; // "ready" leads the first chunk; then now, init, host
  t.is(b.length, v.length);
  t.deepEqual(b.slice(0, at - 1), v.slice(0, at - 1));
  t.deepEqual(b.slice(at - 1 + deep.length), v.slice(at - 1 + deep.length), 'the call after the trap is answered as on V8');
  const trapped = b.slice(at - 1, at - 1 + deep.length).join('\n');
  // The trap's text is V8's words for it (docs/boards.md, Trap texts).
  t.true(trapped.includes(Buffer.from('trap: Maximum call stack size exceeded').toString('hex')), `the deep call is answered with the stack-overflow trap:\n${trapped}`);
  t.true(v8.transcript.join('\n').includes(Buffer.from('trap: Maximum call stack size exceeded').toString('hex')), 'V8 answers it in the same words');
});

test('the QEMU board gives the kernel only its k_memory_top bytes of memory: the same kernel declaring its whole page costs the heap 65536 - MCU_KERNEL_BYTES more', async (t) => {
  const missing = armToolchainMissing();
  if (missing) return t.fail(missing);
  const kernel = builtFile('kernel.wasm');
  const dir = join(REPO_ROOT, 'build', 'test-cells', 'board');
  mkdirSync(dir, { recursive: true });
  const whole = join(dir, 'kernel-whole-page.wasm');
  writeFileSync(whole, withMemoryTop(kernel, 65536));
  const steps: BoardStep[] = [{ op: 'now', ms: 0 }, { op: 'init', node: BOARD }, { op: 'mem' }];
  const peak = async (kernelPath: string, tag: string) => {
    const image = buildQemuImage({ kernelPath, cellPaths: [], ramBytes: RAM, tag });
    const got = await runQemuBoard({ command: 'qemu-system-arm', args: qemuArgs(image.elf) }, { seed: SEED, fuelPerCall: FUEL, stackBytes: STACK }, steps);
    const line = got.find((l) => l.startsWith('maxrss '));
    t.truthy(line, `the board printed its heap figure: ${got.join(' | ')}`);
    return Number(line?.split(' ')[1]);
  };
  const capped = await peak(join(REPO_ROOT, 'build', 'kernel.wasm'), 'memory-top');
  const full = await peak(whole, 'memory-top-whole');
  t.log(`heap after kernel start: ${capped} bytes (k_memory_top ${MCU_KERNEL_BYTES}), ${full} (whole page)`);
  t.is(full - capped, 65536 - MCU_KERNEL_BYTES);
});
