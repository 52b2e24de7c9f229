// Cost of the board's module hash check (@chainsafe/as-sha256 under wasm3, core/module-hash.c) on
// the emulated Cortex-M4: `npx tsx bench/board-flash.ts`. The QEMU image in serial mode (RAM cap
// 1 MiB) takes modules of 1 KiB and 64 KiB; the COMMIT's round trip (the board reads the slot
// back and hashes it) is timed on the host. ms per KiB = the difference over the 63 KiB between
// them, so the hasher's set-up and the frame's round trip cancel. The heap peak is what the first
// hash took from a heap nothing else had used yet (INFO's free RAM before and after). Then the
// kernel and echo are flashed (flashModules, timed) and QEMU's CPU time over 3 s of the running,
// idle board is read from /proc (WFI between the kernel's wakes).
import { createHash, randomBytes } from 'node:crypto';
import { buildQemuImage } from '../host/board/build-qemu.ts';
import { InstallLink } from '../host/board/install-link.ts';
import { openPort, startQemuPty } from '../host/board/qemu-pty.ts';
import { INSTALL_MAX_CHUNK } from '../host/board/install-frames.ts';
import { flashModules, planModules } from '../host/board/flash-modules.ts';
import { readFileSync } from 'node:fs';

const image = buildQemuImage({ kernelPath: '', cellPaths: [], ramBytes: 1024 * 1024, serial: { wasm3StackBytes: 4096 }, tag: 'serial-bench' });
const q = await startQemuPty(image.elf);
const port = await openPort(q.ptyPath);
const link = new InstallLink(port, port);
const free = () => link.freeRam();
async function commitMs(size: number): Promise<number> {
  const bytes = randomBytes(size);
  await link.request({ op: 'begin', slot: 1, species: 1, size });
  for (let at = 0; at < size; at += INSTALL_MAX_CHUNK) await link.request({ op: 'chunk', slot: 1, offset: at, bytes: bytes.subarray(at, at + INSTALL_MAX_CHUNK) });
  const t0 = process.hrtime.bigint();
  const r = await link.request({ op: 'commit', slot: 1, size, sha256: createHash('sha256').update(bytes).digest() }, 60_000);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 'ok') throw new Error(`commit: ${r.status}`);
  return ms;
}
try {
  const before = await free();
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < 3; i++) {
    small.push(await commitMs(1024));
    large.push(await commitMs(64 * 1024));
  }
  const after = await free();
  const kernel = readFileSync('build/kernel.wasm');
  const echo = readFileSync('build/cells/echo.wasm');
  const echoSpecies = (JSON.parse(readFileSync('build/cells/echo.schema.json', 'utf8')) as { speciesId: number }).speciesId;
  const t0 = Date.now();
  const flashed = await flashModules(link, planModules(kernel, [{ name: 'echo', species: echoSpecies, bytes: echo }]));
  const flashMs = Date.now() - t0;
  const cpu = (): number => { const f = readFileSync(`/proc/${q.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return Number(f[11]) + Number(f[12]); };
  const c0 = cpu();
  await new Promise((r) => setTimeout(r, 3000));
  const idleCpuShare = (cpu() - c0) / 100 / 3;
  const med = (a: number[]): number => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  const out = {
    commit1KiBMs: +med(small).toFixed(1),
    commit64KiBMs: +med(large).toFixed(1),
    hashMsPerKiB: +((med(large) - med(small)) / 63).toFixed(2),
    hashHeapPeakBytes: before - after,
    flashKernelEchoMs: flashMs,
    flashKernelEchoBytes: kernel.length + echo.length,
    freeRamAfterBootBytes: flashed.info.freeRam,
    idleCpuShare: +idleCpuShare.toFixed(3),
  };
  console.log(JSON.stringify(out, null, 2));
} finally {
  link.close();
  port.close();
  q.child.kill();
}
