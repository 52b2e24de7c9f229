// Compiles AssemblyScript to WebAssembly in-process with the assemblyscript compiler API.
// One place knows the firmware profile flags, so the kernel, the cells and test harnesses agree.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { BUILD_DIR, REPO_ROOT } from './paths.ts';
import { HOST_PAGES, MCU_PAGES } from '../wire/protocol-table.ts';
import { patchTlsf, TLSF_PATCH_ID } from './tlsf-oom-patch.ts';
import type binaryen from 'binaryen';

export { REPO_ROOT };

export type FirmwareTarget = 'mcu' | 'host';

/** Linear memory pages per target (docs/protocol.toml; asconfig.json must agree): the mcu budget is one 64 KiB page, fixed. */
export const TARGET_PAGES: Record<FirmwareTarget, number> = { mcu: MCU_PAGES, host: HOST_PAGES };

export interface AscOptions {
  /** Entry files, absolute or relative to the repo root. */
  entries: string[];
  target?: FirmwareTarget;
  /** AssemblyScript runtime: `stub` (bump allocator) for the kernel, `minimal` for cells. */
  runtime?: 'stub' | 'minimal';
  /** Also return the text format. */
  wat?: boolean;
  /** Extra asc flags. */
  extra?: string[];
  /**
   * Bytes of its one page the allocator may use (`--lowMemoryLimit`, runtime `minimal` only): a
   * cell whose memory is below one page (host/build/cell-memory.ts). Unset: the whole memory.
   */
  lowMemoryLimit?: number;
}

export interface AscResult {
  /** Backed by a plain ArrayBuffer, as WebAssembly.compile wants. */
  binary: Uint8Array<ArrayBuffer>;
  text?: string;
  /**
   * Where the static data ends and the heap starts (`__heap_base`), read from the compiled module;
   * null when nothing in it allocates (the compiler then leaves the symbol out).
   */
  heapBase: number | null;
}

/** Thrown with the compiler's own diagnostics when AssemblyScript compilation fails. */
export class AscError extends Error {}

/**
 * Profile flags come from asconfig.json (targets `mcu` and `host`), the one place that fixes memory,
 * the abort route and the disabled features; only the runtime varies (stub for the kernel,
 * minimal for cells, which free memory between calls).
 */
export function firmwareFlags(target: FirmwareTarget, runtime: 'stub' | 'minimal'): string[] {
  // The mcu kernel (runtime stub) has a 32 KiB budget: binaryen's passes run again until the
  // module stops shrinking (about 30 bytes, and no slower to compile).
  const converge = target === 'mcu' && runtime === 'stub' ? ['--converge'] : [];
  return ['--config', 'asconfig.json', '--target', target, '--runtime', runtime, ...converge];
}

/**
 * Compiled outputs are kept in build/asc-cache, keyed by the compiler's version and arguments, each
 * with the hash of every file the compiler read (and of every path it probed and did not find): a
 * later compile with the same arguments is taken from the cache only if all of those are unchanged.
 * The test suite compiles the same fixtures and harnesses in many processes; this compiles each
 * once. `CELL_ASC_CACHE=0` turns it off.
 */
const CACHE_DIR = join(BUILD_DIR, 'asc-cache');
interface CacheEntry { files: Record<string, string | null>; binary: string; text?: string; heapBase?: number | null }

const sha256 = (b: string | Uint8Array) => createHash('sha256').update(b).digest('hex');
function fileHash(path: string): string | null {
  try {
    return sha256(readFileSync(path));
  } catch {
    return null;
  }
}

function ascArgv(opts: AscOptions): string[] {
  const limit = opts.lowMemoryLimit;
  if (limit !== undefined) {
    if (!Number.isInteger(limit) || limit <= 0 || limit % 16 !== 0) throw new RangeError(`lowMemoryLimit must be a positive multiple of 16 bytes, got ${limit}`);
    if ((opts.runtime ?? 'minimal') !== 'minimal') throw new RangeError('lowMemoryLimit applies to the minimal runtime (TLSF) only');
  }
  const entries = opts.entries.map((e) => relative(REPO_ROOT, resolve(REPO_ROOT, e)));
  return [
    ...entries,
    '--baseDir', REPO_ROOT,
    '--outFile', 'out.wasm',
    ...(opts.wat ? ['--textFile', 'out.wat'] : []),
    ...firmwareFlags(opts.target ?? 'mcu', opts.runtime ?? 'minimal'),
    ...(limit !== undefined ? ['--lowMemoryLimit', String(limit)] : []),
    ...(opts.extra ?? []),
  ];
}

let ascVersion: string | undefined;

/** Where a compile with these options is kept in build/asc-cache: its key is the compiler's version and arguments. */
export function ascCacheFile(opts: AscOptions): string {
  ascVersion ??= (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'assemblyscript', 'package.json'), 'utf8')) as { version: string }).version;
  return join(CACHE_DIR, `${sha256(JSON.stringify([ascVersion, TLSF_PATCH_ID, ascArgv(opts)]))}.json`);
}

function cached(file: string): AscResult | undefined {
  let entry: CacheEntry;
  try {
    entry = JSON.parse(readFileSync(file, 'utf8')) as CacheEntry;
  } catch {
    return undefined;
  }
  if (entry.heapBase === undefined) return undefined; // kept by an older build
  for (const [path, hash] of Object.entries(entry.files)) if (fileHash(path) !== hash) return undefined;
  const binary = new Uint8Array(Buffer.from(entry.binary, 'base64'));
  return { binary, text: entry.text, heapBase: entry.heapBase };
}

function store(file: string, files: Map<string, string | null>, result: AscResult): void {
  const entry: CacheEntry = { files: Object.fromEntries(files), binary: Buffer.from(result.binary).toString('base64'), text: result.text, heapBase: result.heapBase };
  mkdirSync(CACHE_DIR, { recursive: true });
  // Written aside and renamed: test processes compiling the same thing at once never read half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(entry));
  renameSync(tmp, file);
}

type AscTransforms = NonNullable<Parameters<typeof import('assemblyscript/asc').main>[1]>['transforms'];

export async function compileAssemblyScript(opts: AscOptions): Promise<AscResult> {
  const argv = ascArgv(opts);
  const entries = opts.entries.map((e) => relative(REPO_ROOT, resolve(REPO_ROOT, e)));
  const useCache = process.env.CELL_ASC_CACHE !== '0';
  const file = ascCacheFile(opts);
  const hit = useCache ? cached(file) : undefined;
  if (hit) return hit;
  // Loaded only on a miss: importing the compiler costs a process about a second.
  const { default: asc, libraryFiles } = await import('assemblyscript/asc');
  patchTlsf(libraryFiles);
  const { default: binaryen } = await import('binaryen');
  let heapBase: number | null = null;
  const outputs = new Map<string, Uint8Array | string>();
  const read = new Map<string, string | null>();
  const stderr = asc.createMemoryStream();
  const { error } = await asc.main(argv, {
    stderr,
    async readFile(name: string, baseDir: string) {
      const path = resolve(baseDir, name);
      try {
        const text = await readFile(path, 'utf8');
        read.set(path, sha256(Buffer.from(text, 'utf8')));
        return text;
      } catch {
        read.set(path, null);
        return null;
      }
    },
    writeFile(name: string, contents: Uint8Array | string) {
      outputs.set(name, contents);
    },
    // Before optimisation the module still holds __heap_base as a global of its own. asc takes a
    // plain object with the hooks it needs (its type asks for the whole Transform class).
    transforms: [{
      afterCompile(mod: binaryen.Module) {
        const ref = mod.getGlobal('~lib/memory/__heap_base');
        if (!ref) return;
        const g = binaryen.getGlobalInfo(ref);
        const init = binaryen.getExpressionInfo(g.init) as binaryen.ConstInfo;
        if (typeof init.value === 'number') heapBase = init.value;
      },
    }] as unknown as AscTransforms,
  });
  if (error) throw new AscError(`AssemblyScript compile of ${entries.join(', ')} failed:\n${stderr.toString()}`);
  const binary = outputs.get('out.wasm');
  if (!(binary instanceof Uint8Array)) throw new AscError(`AssemblyScript produced no binary for ${entries.join(', ')}`);
  const text = outputs.get('out.wat');
  const result = { binary: new Uint8Array(binary), text: typeof text === 'string' ? text : undefined, heapBase };
  if (useCache) {
    try {
      store(file, read, result);
    } catch {
      // A read-only or full build folder: the compile stands, it is only not kept.
    }
  }
  return result;
}
