// Builds the kernel (mcu and host targets) and every example cell under firmware/cells.
// `npm run build` runs this (after generating the protocol table's modules, docs/protocol.toml);
// tests and the simulator load what it writes into build/.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { buildKernel, type BuiltKernel } from './build-kernel.ts';
import { buildCell, type BuiltCell } from './build-cell.ts';
import { REPO_ROOT, type FirmwareTarget } from './asc.ts';
import { writeProtocol } from './generate-protocol.ts';

export const CELLS_DIR = join(REPO_ROOT, 'firmware', 'cells');

export async function cellDirs(root = CELLS_DIR): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(root)).sort()) {
    const dir = join(root, name);
    if ((await stat(dir)).isDirectory()) out.push(dir);
  }
  return out;
}

export async function buildAll(opts: { target?: FirmwareTarget; cellsOut?: string; log?: (line: string) => void } = {}): Promise<{ kernels: BuiltKernel[]; cells: BuiltCell[] }> {
  const log = opts.log ?? (() => {});
  const kernels = [await buildKernel('mcu'), await buildKernel('host')];
  for (const k of kernels) log(`kernel (${k.target})  ${k.sizeBytes} bytes  ${k.wasmPath}`);
  const cells: BuiltCell[] = [];
  for (const dir of await cellDirs()) {
    const c = await buildCell(dir, { target: opts.target ?? 'mcu', outDir: opts.cellsOut });
    log(`cell ${c.name}  species 0x${c.speciesId.toString(16).padStart(8, '0')}  ${c.sizeBytes} bytes  ${c.wasmPath}`);
    cells.push(c);
  }
  return { kernels, cells };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // The protocol table's generated modules first: the firmware compiles against them.
  for (const p of writeProtocol()) console.log(`generated ${p}`);
  await buildAll({ log: (l) => console.log(l) });
}
