// Where the board runtime's wasm3 comes from (docs/boards.md, Build): $WASM3_SRC, else the pinned
// tarball beside the project checked against its sha256, else a clone of upstream at the pinned
// commit. Nothing of wasm3 is kept in the repository; it is unpacked into build/ (gitignored).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BUILD_DIR, REPO_ROOT } from '../build/paths.ts';

export const WASM3_COMMIT = 'c9b579d8c048db71ce2322cf68a0d88ae81684d2';
export const WASM3_TARBALL_SHA256 = '3c59ae0175a5a73fe312433664166da54608ccb19343df5b60404bad51ad694b';
const TARBALL = resolve(REPO_ROOT, '..', 'shared', 'vendor', 'wasm3-c9b579d8.tar.gz');
const UPSTREAM = 'https://github.com/wasm3/wasm3.git';

/** wasm3's library files (upstream source/CMakeLists.txt, target m3, without the WASI and libc bindings). */
export const WASM3_FILES = [
  'm3_bind.c', 'm3_code.c', 'm3_compile.c', 'm3_core.c', 'm3_env.c', 'm3_exec.c',
  'm3_function.c', 'm3_info.c', 'm3_module.c', 'm3_parse.c', 'm3_validate.c',
] as const;

/** The folder holding wasm3.h and the files above, fetched or unpacked if needed. */
export function wasm3SourceDir(): string {
  const fromEnv = process.env.WASM3_SRC;
  if (fromEnv) {
    for (const dir of [join(fromEnv, 'source'), fromEnv]) if (existsSync(join(dir, 'wasm3.h'))) return dir;
    throw new Error(`WASM3_SRC=${fromEnv} holds no wasm3.h (neither in it nor in its source/ folder)`);
  }
  const target = join(BUILD_DIR, 'board', `wasm3-${WASM3_COMMIT.slice(0, 8)}`);
  const dir = join(target, 'source');
  if (existsSync(join(dir, 'wasm3.h'))) return dir;
  const partial = `${target}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  if (existsSync(TARBALL)) {
    const sum = createHash('sha256').update(readFileSync(TARBALL)).digest('hex');
    if (sum !== WASM3_TARBALL_SHA256) throw new Error(`${TARBALL}: sha256 ${sum}, expected ${WASM3_TARBALL_SHA256}; refusing to build with it`);
    execFileSync('tar', ['xzf', TARBALL, '-C', partial, '--strip-components=1']);
  } else {
    execFileSync('git', ['clone', '--quiet', '--no-checkout', UPSTREAM, partial], { stdio: 'inherit' });
    execFileSync('git', ['-C', partial, 'checkout', '--quiet', WASM3_COMMIT], { stdio: 'inherit' });
  }
  if (!existsSync(join(partial, 'source', 'wasm3.h'))) throw new Error(`the wasm3 source at ${partial} has no source/wasm3.h`);
  rmSync(target, { recursive: true, force: true });
  renameSync(partial, target);
  return dir;
}
