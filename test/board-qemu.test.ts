// The same recorded session as test/board-conformance.test.ts, on the emulated Cortex-M4 board
// (qemu-mps2-an386): the kernel and cells linked into flash, the steps through UART0, RAM capped
// by the linker script. Every line must match V8's transcript.
import test from 'ava';
import { armToolchainMissing, buildQemuImage, qemuArgs } from '../host/board/build-qemu.ts';
import { runQemuBoard } from '../host/board/board-script.ts';
import { FUEL, fixture, recordOnV8, SEED } from './fixtures/board-session.ts';

// Three cells and the kernel: each wasm3 instance holds a 64 KiB linear memory and its code pages.
const RAM = 1024 * 1024;
const STACK = 4096;

test('the qemu-mps2-an386 board answers the recorded session byte for byte as V8 does', async (t) => {
  const missing = armToolchainMissing();
  if (missing) return t.fail(missing);
  const f = await fixture();
  const { steps, transcript } = await recordOnV8(f);
  const image = buildQemuImage({ kernelPath: f.kernelPath, cellPaths: f.cellPaths, ramBytes: RAM, tag: 'conformance' });
  const got = await runQemuBoard({ command: 'qemu-system-arm', args: qemuArgs(image.elf) }, { seed: SEED, fuelPerCall: FUEL, stackBytes: STACK }, steps);
  const firstDiff = transcript.findIndex((line, i) => got[i] !== line);
  t.is(firstDiff, -1, firstDiff < 0 ? '' : `line ${firstDiff}: V8 ${transcript[firstDiff]} / board ${got[firstDiff]}`);
  t.is(got.length, transcript.length);
});
