// Compiles AssemblyScript to WebAssembly in-process with the assemblyscript compiler API.
// One place knows the firmware profile flags, so the kernel, the cells and test harnesses agree.
import asc from 'assemblyscript/asc';
import { relative, resolve } from 'node:path';
import { REPO_ROOT } from './paths.ts';
import { HOST_PAGES, MCU_PAGES } from '../wire/protocol-table.ts';

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
}

export interface AscResult {
  /** Backed by a plain ArrayBuffer, as WebAssembly.compile wants. */
  binary: Uint8Array<ArrayBuffer>;
  text?: string;
}

/** Thrown with the compiler's own diagnostics when AssemblyScript compilation fails. */
export class AscError extends Error {}

/**
 * Profile flags come from asconfig.json (targets `mcu` and `host`), the one place that fixes memory,
 * the abort route and the disabled features; only the runtime varies (stub for the kernel,
 * minimal for cells, which free memory between calls).
 */
export function firmwareFlags(target: FirmwareTarget, runtime: 'stub' | 'minimal'): string[] {
  return ['--config', 'asconfig.json', '--target', target, '--runtime', runtime];
}

export async function compileAssemblyScript(opts: AscOptions): Promise<AscResult> {
  const target = opts.target ?? 'mcu';
  const runtime = opts.runtime ?? 'minimal';
  const entries = opts.entries.map((e) => relative(REPO_ROOT, resolve(REPO_ROOT, e)));
  const outputs = new Map<string, Uint8Array | string>();
  const stderr = asc.createMemoryStream();
  const argv = [
    ...entries,
    '--baseDir', REPO_ROOT,
    '--outFile', 'out.wasm',
    ...(opts.wat ? ['--textFile', 'out.wat'] : []),
    ...firmwareFlags(target, runtime),
    ...(opts.extra ?? []),
  ];
  const { error } = await asc.main(argv, {
    stderr,
    writeFile(name: string, contents: Uint8Array | string) {
      outputs.set(name, contents);
    },
  });
  if (error) throw new AscError(`AssemblyScript compile of ${entries.join(', ')} failed:\n${stderr.toString()}`);
  const binary = outputs.get('out.wasm');
  if (!(binary instanceof Uint8Array)) throw new AscError(`AssemblyScript produced no binary for ${entries.join(', ')}`);
  const text = outputs.get('out.wat');
  return { binary: new Uint8Array(binary), text: typeof text === 'string' ? text : undefined };
}
