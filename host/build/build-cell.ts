// `cell build` for one cell: cell.toml + the `@cell` class -> a metered, profile-checked .wasm
// carrying its schema, the schema as JSON, and a typed TypeScript client.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { compileAssemblyScript, REPO_ROOT, TARGET_PAGES, type FirmwareTarget } from './asc.ts';
import { CellConfigError, readCellToml, type CellBiology, type CellLimits } from './cell-toml.ts';
import { cellMemoryFloor, encodeMemorySection, MEMORY_SECTION, PAGE_BYTES, TLSF_ROOT_BYTES } from './cell-memory.ts';
import { appendCustomSection } from './custom-section.ts';
import { guardMemoryGrow } from './grow-guard.ts';
import { SCHEMA_SECTION } from './inspect.ts';
import { instrumentFuel } from './meter.ts';
import { assertProfile } from './profile.ts';
import { generateClient } from '../sdk/codegen-client.ts';
import { argHeapFor, generateDispatch } from '../sdk/codegen-dispatch.ts';
import { parseCell } from '../sdk/parse-cell.ts';
import { canonicalSchemaJson, type CellSchema } from '../sdk/schema.ts';
import { speciesHex, speciesIdOf } from '../sdk/species.ts';

export interface BuildCellOptions {
  target?: FirmwareTarget;
  /** Where the .wasm, .schema.json and .client.ts go; default `<repo>/build/cells`. */
  outDir?: string;
  /** Where the generated AssemblyScript entry goes; default `<repo>/build/gen/<name>`. */
  genDir?: string;
  /** Instead of cell.toml's `[cell.limits] memory` (bench/cell-memory.ts looks for the smallest that works). */
  memory?: number;
}

export interface BuiltCell {
  name: string;
  speciesId: number;
  target: FirmwareTarget;
  wasmPath: string;
  schemaPath: string;
  clientPath: string;
  /** The generated AssemblyScript entry (dispatch code), for reading when debugging. */
  entryPath: string;
  sizeBytes: number;
  schema: CellSchema;
  limits: CellLimits;
  biology: CellBiology;
  /**
   * Bytes of memory the cell needs before any state of its own (mcu target): its static data, the
   * allocator's root and one call's argument budget (cellMemoryFloor); `limits.memory` is at least this.
   */
  memoryFloor: number;
}

export async function buildCell(cellDir: string, opts: BuildCellOptions = {}): Promise<BuiltCell> {
  const target = opts.target ?? 'mcu';
  if (!(target in TARGET_PAGES)) throw new Error(`buildCell: target must be 'mcu' or 'host', got ${JSON.stringify(target)}`);
  const config = readCellToml(resolve(cellDir));
  if (opts.memory !== undefined) config.limits.memory = opts.memory;
  const { name } = config;
  const outDir = resolve(opts.outDir ?? join(REPO_ROOT, 'build', 'cells'));
  const genDir = resolve(opts.genDir ?? join(REPO_ROOT, 'build', 'gen', name));

  const cell = parseCell(config.source, { name });
  const schema = cell.schema;
  const speciesId = speciesIdOf(schema);

  const entryPath = join(genDir, 'entry.ts');
  const argHeapBytes = argHeapFor(config.limits.in_bytes);
  writeAtomic(entryPath, generateDispatch(cell, {
    entryPath,
    inBytes: config.limits.in_bytes,
    outBytes: config.limits.out_bytes,
    argHeapBytes,
  }));

  // The declared memory is a board's (mcu) budget; the host target's cells keep their 16 pages.
  const memory = target === 'mcu' ? config.limits.memory : undefined;
  const lowMemoryLimit = memory !== undefined && memory < PAGE_BYTES ? memory : undefined;
  const { binary, heapBase } = await compileAssemblyScript({ entries: [entryPath], target, runtime: 'minimal', lowMemoryLimit });
  // The generated dispatcher always allocates (its argument reader), so the compiler keeps __heap_base.
  if (heapBase === null) throw new Error(`buildCell: the compiled cell "${name}" has no __heap_base, so its memory cannot be checked`);
  const floor = Math.ceil(cellMemoryFloor(heapBase, argHeapBytes) / 16) * 16;
  if (memory !== undefined && memory < floor) {
    throw new CellConfigError(
      `${join(resolve(cellDir), 'cell.toml')}: [cell.limits] memory = ${memory} is too small for cell "${name}": its static data ` +
      `(the ${config.limits.in_bytes}-byte input and ${config.limits.out_bytes}-byte output buffers, constants) ends at byte ${heapBase}, ` +
      `the allocator's root takes ${TLSF_ROOT_BYTES} bytes and one call's arguments may need ${argHeapBytes} ` +
      `(4 x in_bytes, at least 4096; the allocator wants a 16th of that more free), so it needs at least ${floor} bytes before any state of its own`,
    );
  }
  // Guard first so the meter charges the guard's checks too: what the cell runs is what it pays for.
  const metered = instrumentFuel(guardMemoryGrow(binary));
  assertProfile(metered, { kind: 'cell', maxPages: TARGET_PAGES[target] });
  let wasm = appendCustomSection(metered, SCHEMA_SECTION, new TextEncoder().encode(canonicalSchemaJson(schema)));
  if (memory !== undefined) wasm = appendCustomSection(wasm, MEMORY_SECTION, encodeMemorySection(memory));

  const wasmPath = join(outDir, `${name}.wasm`);
  const schemaPath = join(outDir, `${name}.schema.json`);
  const clientPath = join(outDir, `${name}.client.ts`);
  writeAtomic(wasmPath, wasm);
  writeAtomic(schemaPath, `${JSON.stringify({ speciesId, species: speciesHex(speciesId), schema }, null, 2)}\n`);
  writeAtomic(clientPath, generateClient(schema, { outPath: clientPath, source: relative(REPO_ROOT, config.source).split('\\').join('/') }));

  return {
    name, speciesId, target, wasmPath, schemaPath, clientPath, entryPath,
    sizeBytes: wasm.length, schema, limits: config.limits, biology: config.biology, memoryFloor: floor,
  };
}

// Tests build the same cell from parallel processes; a rename is atomic, so nobody reads half a file.
function writeAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(resolve(path, '..'), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

// `npx tsx host/build/build-cell.ts <cellDir>...`: build cells and print their species ids.
if (import.meta.url === `file://${process.argv[1]}`) {
  const dirs = process.argv.slice(2);
  if (dirs.length === 0) {
    console.error('usage: tsx host/build/build-cell.ts <cellDir>... (a directory holding cell.toml)');
    process.exit(2);
  }
  for (const dir of dirs) {
    try {
      const c = await buildCell(dir);
      console.log(`${c.name}  species ${speciesHex(c.speciesId)}  ${c.sizeBytes} bytes  ${relative(process.cwd(), c.wasmPath)}`);
    } catch (e) {
      console.error((e as Error).message);
      process.exit(1);
    }
  }
}
