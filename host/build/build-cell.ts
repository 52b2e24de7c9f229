// `cell build` for one cell: cell.toml + the `@cell` class -> a metered, profile-checked .wasm
// carrying its schema, the schema as JSON, and a typed TypeScript client.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { compileAssemblyScript, REPO_ROOT, TARGET_PAGES, type FirmwareTarget } from './asc.ts';
import { readCellToml, type CellBiology, type CellLimits } from './cell-toml.ts';
import { appendCustomSection } from './custom-section.ts';
import { guardMemoryGrow } from './grow-guard.ts';
import { SCHEMA_SECTION } from './inspect.ts';
import { instrumentFuel } from './meter.ts';
import { assertProfile } from './profile.ts';
import { generateClient } from '../sdk/codegen-client.ts';
import { generateDispatch } from '../sdk/codegen-dispatch.ts';
import { parseCell } from '../sdk/parse-cell.ts';
import { canonicalSchemaJson, type CellSchema } from '../sdk/schema.ts';
import { speciesHex, speciesIdOf } from '../sdk/species.ts';

export interface BuildCellOptions {
  target?: FirmwareTarget;
  /** Where the .wasm, .schema.json and .client.ts go; default `<repo>/build/cells`. */
  outDir?: string;
  /** Where the generated AssemblyScript entry goes; default `<repo>/build/gen/<name>`. */
  genDir?: string;
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
}

export async function buildCell(cellDir: string, opts: BuildCellOptions = {}): Promise<BuiltCell> {
  const target = opts.target ?? 'mcu';
  if (!(target in TARGET_PAGES)) throw new Error(`buildCell: target must be 'mcu' or 'host', got ${JSON.stringify(target)}`);
  const config = readCellToml(resolve(cellDir));
  const { name } = config;
  const outDir = resolve(opts.outDir ?? join(REPO_ROOT, 'build', 'cells'));
  const genDir = resolve(opts.genDir ?? join(REPO_ROOT, 'build', 'gen', name));

  const cell = parseCell(config.source, { name });
  const schema = cell.schema;
  const speciesId = speciesIdOf(schema);

  const entryPath = join(genDir, 'entry.ts');
  writeAtomic(entryPath, generateDispatch(cell, {
    entryPath,
    inBytes: config.limits.in_bytes,
    outBytes: config.limits.out_bytes,
  }));

  const { binary } = await compileAssemblyScript({ entries: [entryPath], target, runtime: 'minimal' });
  // Guard first so the meter charges the guard's checks too: what the cell runs is what it pays for.
  const metered = instrumentFuel(guardMemoryGrow(binary));
  assertProfile(metered, { kind: 'cell', maxPages: TARGET_PAGES[target] });
  const wasm = appendCustomSection(metered, SCHEMA_SECTION, new TextEncoder().encode(canonicalSchemaJson(schema)));

  const wasmPath = join(outDir, `${name}.wasm`);
  const schemaPath = join(outDir, `${name}.schema.json`);
  const clientPath = join(outDir, `${name}.client.ts`);
  writeAtomic(wasmPath, wasm);
  writeAtomic(schemaPath, `${JSON.stringify({ speciesId, species: speciesHex(speciesId), schema }, null, 2)}\n`);
  writeAtomic(clientPath, generateClient(schema, { outPath: clientPath, source: relative(REPO_ROOT, config.source).split('\\').join('/') }));

  return {
    name, speciesId, target, wasmPath, schemaPath, clientPath, entryPath,
    sizeBytes: wasm.length, schema, limits: config.limits, biology: config.biology,
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
