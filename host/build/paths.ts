// Where things live in the repository and its build folder. Light on purpose: the CLI's run,
// call and sim commands need these paths without loading the compiler.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The repository root; AssemblyScript resolves `--use abort=` paths against it. This file runs as
 * host/build/paths.ts under tsx and as dist/host/build/paths.js in the compiled CLI.
 */
export const REPO_ROOT = existsSync(resolve(import.meta.dirname, '..', '..', 'package.json'))
  ? resolve(import.meta.dirname, '..', '..')
  : resolve(import.meta.dirname, '..', '..', '..');

export const BUILD_DIR = join(REPO_ROOT, 'build');

export function kernelPath(target: 'mcu' | 'host' = 'mcu', outDir = BUILD_DIR): string {
  return join(outDir, target === 'mcu' ? 'kernel.wasm' : 'kernel.host.wasm');
}
