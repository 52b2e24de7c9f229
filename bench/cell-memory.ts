// How much memory each example cell needs: for echo, kv and exchange, the smallest
// `[cell.limits] memory` (in 1 KiB steps) at which the cell answers its worst-case calls
// (test/fixtures/cell-worst-cases.ts) exactly as with the whole 64 KiB page, beside its floor
// (static data + allocator root + one call's argument budget) and what its cell.toml declares.
// `npx tsx bench/cell-memory.ts [echo kv exchange]`
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildCell } from '../host/build/build-cell.ts';
import { PAGE_BYTES } from '../host/build/cell-memory.ts';
import { readCellToml } from '../host/build/cell-toml.ts';
import { REPO_ROOT } from '../host/build/paths.ts';
import { CellInstance } from '../host/runtime/cell-instance.ts';
import { runWorstCase, worstCasePayloads, WORST_CASE_CELLS, type WorstCaseCell } from '../test/fixtures/cell-worst-cases.ts';

const STEP = 1024;
const FUEL = 50_000_000;

export interface CellMemoryFigure {
  cell: WorstCaseCell;
  /** Static data + allocator root + argument budget: the build refuses less. */
  floor: number;
  /** Smallest multiple of 1 KiB at or above the floor whose answers equal the whole page's. */
  needed: number;
  declared: number;
}

async function answersAt(cell: WorstCaseCell, memory: number, outDir: string): Promise<{ answers: string; floor: number }> {
  const built = await buildCell(join(REPO_ROOT, 'firmware', 'cells', cell), { target: 'mcu', outDir, memory });
  const instance = await CellInstance.load(new Uint8Array(readFileSync(built.wasmPath)), { maxPages: 1, fuelPerCall: FUEL });
  const answers = runWorstCase(instance, worstCasePayloads(cell, built.schema, built.limits.in_bytes));
  return { answers: JSON.stringify(answers), floor: built.memoryFloor };
}

export async function cellMemoryFigures(cells: readonly WorstCaseCell[] = WORST_CASE_CELLS): Promise<CellMemoryFigure[]> {
  const outDir = join(REPO_ROOT, 'build', `cell-memory-bench-${process.pid}`);
  const figures: CellMemoryFigure[] = [];
  try {
    for (const cell of cells) {
      const page = await answersAt(cell, PAGE_BYTES, outDir);
      // The answers only get worse as memory shrinks (more calls run out of it), so bisect.
      let lo = Math.ceil(page.floor / STEP); // in steps; lo may fail
      let hi = PAGE_BYTES / STEP; // passes
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((await answersAt(cell, mid * STEP, outDir)).answers === page.answers) hi = mid;
        else lo = mid + 1;
      }
      figures.push({ cell, floor: page.floor, needed: hi * STEP, declared: readCellToml(join(REPO_ROOT, 'firmware', 'cells', cell)).limits.memory });
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  for (const a of args) if (!WORST_CASE_CELLS.includes(a as WorstCaseCell)) throw new Error(`unknown cell "${a}": one of ${WORST_CASE_CELLS.join(', ')}`);
  const figures = await cellMemoryFigures(args.length > 0 ? (args as WorstCaseCell[]) : WORST_CASE_CELLS);
  console.log('| cell | floor (static data + allocator root + argument budget) | needed by its worst case (1 KiB steps) | declared in cell.toml |');
  console.log('|---|---|---|---|');
  for (const f of figures) console.log(`| ${f.cell} | ${f.floor.toLocaleString('en-US')} | ${f.needed.toLocaleString('en-US')} | ${f.declared.toLocaleString('en-US')} |`);
}
