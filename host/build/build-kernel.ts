// Builds the firmware kernel and checks it against the wasm3 profile and its size budget.
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { compileAssemblyScript, REPO_ROOT, TARGET_PAGES, type FirmwareTarget } from './asc.ts';
import { assertProfile } from './profile.ts';
import { kernelPath } from './paths.ts';

/** The mcu kernel must fit this many bytes (issue #2): flash is scarce next to wasm3 itself. */
export const KERNEL_BUDGET_BYTES = 32 * 1024;

export interface BuiltKernel {
  target: FirmwareTarget;
  wasmPath: string;
  sizeBytes: number;
  wasm: Uint8Array;
}


export async function buildKernel(target: FirmwareTarget = 'mcu', outDir = join(REPO_ROOT, 'build')): Promise<BuiltKernel> {
  const { binary } = await compileAssemblyScript({ entries: ['firmware/kernel/index.ts'], target, runtime: 'stub' });
  assertProfile(binary, { kind: 'kernel', maxPages: TARGET_PAGES[target] });
  if (target === 'mcu' && binary.length > KERNEL_BUDGET_BYTES) {
    throw new Error(`kernel is ${binary.length} bytes, over the ${KERNEL_BUDGET_BYTES}-byte mcu budget`);
  }
  await mkdir(outDir, { recursive: true });
  const wasmPath = kernelPath(target, outDir);
  await writeFile(wasmPath, binary);
  return { target, wasmPath, sizeBytes: binary.length, wasm: binary };
}
