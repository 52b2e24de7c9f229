// Builds the board runtime (boards/runtime) for the posix platform with the system C compiler:
// build/board/posix/cell-board. Skipped when the inputs and flags are what the last build used.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BUILD_DIR, REPO_ROOT } from '../build/paths.ts';
import { WASM3_FILES, wasm3SourceDir } from './wasm3-source.ts';

export const RUNTIME_DIR = join(REPO_ROOT, 'boards', 'runtime');
export const POSIX_BOARD = join(BUILD_DIR, 'board', 'posix', 'cell-board');

/**
 * wasm3 flags every platform shares. d_m3CascadedOpcodes=1: with 0 (wasm3's embedded default) its
 * validator rejects the 0xFC non-trapping float-to-int opcodes the firmware uses (docs/boards.md).
 */
export const WASM3_DEFINES = ['-Dd_m3CascadedOpcodes=1', '-DDEBUG=0'];

/** The C files of the shared runtime and of one platform. */
export function runtimeSources(platform: string): string[] {
  const core = join(RUNTIME_DIR, 'core');
  const plat = join(RUNTIME_DIR, 'platform', platform);
  return [
    ...readdirSync(core).filter((f) => f.endsWith('.c')).sort().map((f) => join(core, f)),
    ...readdirSync(plat).filter((f) => f.endsWith('.c')).sort().map((f) => join(plat, f)),
  ];
}

function stampOf(inputs: string[], args: string[]): string {
  const h = createHash('sha256');
  for (const f of inputs) h.update(f).update(readFileSync(f));
  return h.update(JSON.stringify(args)).digest('hex');
}

/**
 * Builds the posix board if anything changed; returns the binary's path. `variant` builds another
 * binary beside it with other wasm3 defines (a test shows why d_m3CascadedOpcodes=1 is needed).
 */
export function buildPosixBoard(log: (line: string) => void = () => {}, variant?: { name: string; defines: string[] }): string {
  const out = variant ? join(BUILD_DIR, 'board', `posix-${variant.name}`, 'cell-board') : POSIX_BOARD;
  const defines = variant?.defines ?? WASM3_DEFINES;
  const w3 = wasm3SourceDir();
  const sources = [...runtimeSources('posix'), ...WASM3_FILES.map((f) => join(w3, f))];
  const headers = [
    ...readdirSync(join(RUNTIME_DIR, 'core')).filter((f) => f.endsWith('.h')).map((f) => join(RUNTIME_DIR, 'core', f)),
    ...readdirSync(w3).filter((f) => f.endsWith('.h')).map((f) => join(w3, f)),
  ];
  const cc = process.env.CC ?? 'cc';
  const args = ['-std=gnu99', '-O2', '-Wall', ...defines, `-I${w3}`, `-I${join(RUNTIME_DIR, 'core')}`, ...sources, '-o', out, '-lm'];
  const stampFile = `${out}.stamp`;
  const stamp = stampOf([...sources, ...headers], [cc, ...args]);
  if (existsSync(out) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return out;
  mkdirSync(dirname(out), { recursive: true });
  log(`board posix: ${cc} ${sources.length} files`);
  try {
    execFileSync(cc, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: Buffer; code?: string };
    if (e.code === 'ENOENT') throw new Error(`no C compiler "${cc}": install gcc (npm test installs it: test/system-packages.mjs) or set CC`);
    throw new Error(`building the posix board failed:\n${e.stderr?.toString() ?? String(err)}`);
  }
  writeFileSync(stampFile, stamp);
  return out;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const cc = process.env.CC ?? 'cc';
  // `npm run build` (and test:unit) must work without a C compiler; the board tests need one and
  // say so (npm test installs it: test/system-packages.mjs).
  if (execFileSyncQuiet(cc)) {
    const out = buildPosixBoard((line) => console.log(line));
    console.log(`board posix  ${out}`);
  } else {
    console.log(`board posix  skipped: no C compiler "${cc}" (install gcc, or set CC)`);
  }
}

function execFileSyncQuiet(cc: string): boolean {
  try {
    execFileSync(cc, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
