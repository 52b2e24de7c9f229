// Where things live in the repository and its build folder. Light on purpose: the CLI's run,
// call and sim commands need these paths without loading the compiler.
import { join, resolve } from 'node:path';

/** The repository root; AssemblyScript resolves `--use abort=` paths against it. */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export const BUILD_DIR = join(REPO_ROOT, 'build');

export function kernelPath(target: 'mcu' | 'host' = 'mcu', outDir = BUILD_DIR): string {
  return join(outDir, target === 'mcu' ? 'kernel.wasm' : 'kernel.host.wasm');
}
