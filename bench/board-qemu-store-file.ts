// What the QEMU board's store file costs (boards/runtime/platform/qemu-mps2-an386/flash-file.c:
// each flash write goes through semihosting to the host's file): `npx tsx bench/board-qemu-store-file.ts`.
// The same serial-mode image (RAM cap 1 MiB) with its stores in RAM only and with a store file:
// flashing kernel + echo + kv (flashModules, wall time), and kv puts through a peer kernel on the
// pty (one call at a time, each from a caller of its own, each committing a record: a write of the
// cell store), median of 40 after 5
// to warm up; with the file, also a new QEMU booting on it until INFO reports the kernel running.
// Wall times on a shared machine: compare the two columns of one run, not runs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildQemuImage } from '../host/board/build-qemu.ts';
import { flashModules, planModules, waitForKernel } from '../host/board/flash-modules.ts';
import { InstallLink } from '../host/board/install-link.ts';
import { openPort, startQemuPty } from '../host/board/qemu-pty.ts';
import { prepareQemuStoreFile } from '../host/board/qemu-store-file.ts';
import { encodeCall } from '../host/sdk/call-codec.ts';
import { serialCaller } from '../test/fixtures/echo-call.ts';

const image = buildQemuImage({ kernelPath: '', cellPaths: [], ramBytes: 1024 * 1024, serial: { wasm3StackBytes: 4096 }, tag: 'serial-bench' });
const kvSchema = JSON.parse(readFileSync('build/cells/kv.schema.json', 'utf8')) as { speciesId: number; schema: Parameters<typeof encodeCall>[0] };
const echoSpecies = (JSON.parse(readFileSync('build/cells/echo.schema.json', 'utf8')) as { speciesId: number }).speciesId;
const modules = planModules(readFileSync('build/kernel.wasm'), [
  { name: 'echo', species: echoSpecies, bytes: readFileSync('build/cells/echo.wasm') },
  { name: 'kv', species: kvSchema.speciesId, bytes: readFileSync('build/cells/kv.wasm') },
]);
const med = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const dir = mkdtempSync(join(tmpdir(), 'cell-bench-store-'));

async function run(store: string | undefined): Promise<{ flashMs: number; putUs: number }> {
  const q = await startQemuPty(image.elf, { store });
  const port = await openPort(q.ptyPath);
  const link = new InstallLink(port, port);
  try {
    const t0 = Date.now();
    const r = await flashModules(link, modules);
    const flashMs = Date.now() - t0;
    const times: number[] = [];
    port.setMaxListeners(100);
    for (let i = 0; i < 45; i++) {
      // A caller of its own for each call: the board's kernel refuses one caller over its CPU share.
      const call = await serialCaller(port, port, r.info.node, 0x11220000 + i);
      const s = process.hrtime.bigint();
      const a = await call(kvSchema.speciesId, encodeCall(kvSchema.schema, 'put', [`k${i % 8}`, `value ${i}`]));
      if (a.kind !== 'reply') throw new Error(`kv put: ${Buffer.from(a.payload).toString()}`);
      if (i >= 5) times.push(Number(process.hrtime.bigint() - s) / 1e3);
    }
    return { flashMs, putUs: Math.round(med(times)) };
  } finally {
    link.close();
    port.close();
    q.child.kill('SIGKILL');
  }
}

async function bootMs(store: string): Promise<number> {
  const t0 = Date.now();
  const q = await startQemuPty(image.elf, { store });
  const port = await openPort(q.ptyPath);
  const link = new InstallLink(port, port);
  try {
    await waitForKernel(link);
    return Date.now() - t0;
  } finally {
    link.close();
    port.close();
    q.child.kill('SIGKILL');
  }
}

try {
  const ram = await run(undefined);
  const store = join(dir, 'board.store');
  prepareQemuStoreFile(store);
  const file = await run(store);
  const boots: number[] = [];
  for (let i = 0; i < 3; i++) boots.push(await bootMs(store));
  console.log(JSON.stringify({
    flashKernelEchoKvMs: { ram: ram.flashMs, storeFile: file.flashMs },
    kvPutP50Us: { ram: ram.putUs, storeFile: file.putUs },
    bootFromStoreFileMs: med(boots),
  }, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
