// Reads and checks a cell's cell.toml. Every mistake is reported with the file and the key, since
// a typo like `min_replica` would otherwise silently fall back to a default.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { SERVICE_NAME } from '../sdk/schema.ts';
import { CELL_MEMORY_GRANULE, MAX_CELL_MEMORY, MIN_CELL_MEMORY } from './cell-memory.ts';

export interface CellLimits {
  /** Input buffer: the largest CALL payload the cell accepts. */
  in_bytes: number;
  /** Output buffer: the largest REPLY or ERROR payload it can give. */
  out_bytes: number;
  /**
   * Bytes of its one 64 KiB page the cell uses (mcu target): static data, the allocator and its
   * state. A board allocates only this much (host/build/cell-memory.ts); 65536 is the whole page.
   */
  memory: number;
}

/** `[cell.biology]`: how mitosis may scale the species (DESIGN.md, Mitosis). */
export interface CellBiology {
  min_replicas: number;
  max_replicas: number;
  /** CPU share (0..1] above which a replica considers dividing. */
  cpu_target: number;
}

export interface CellConfig {
  name: string;
  /** Absolute path of the AssemblyScript source. */
  source: string;
  limits: CellLimits;
  biology: CellBiology;
}

/**
 * The largest REPLY or ERROR payload one frame carries: the kernel's frame buffer (BUF_CAP in
 * firmware/kernel/frame-buffers.ts, k_buf_cap) less the 20-byte header. A larger out_bytes would
 * let a cell build replies the kernel can only refuse (TOO_LARGE), so the build refuses it.
 */
export const MAX_OUT_BYTES = 2048 - 20;

/** Enough for echo, kv and exchange at their worst (test/cell-memory.test.ts); a cell with more state declares more. */
export const DEFAULT_MEMORY = 32768;

export const DEFAULT_LIMITS: Readonly<CellLimits> = { in_bytes: 2048, out_bytes: MAX_OUT_BYTES, memory: DEFAULT_MEMORY };
export const DEFAULT_BIOLOGY: Readonly<CellBiology> = { min_replicas: 1, max_replicas: 16, cpu_target: 0.6 };

// Buffers live in the cell's one 64 KiB page next to its heap; past this they crowd it out.
const MAX_BUFFER = 32768;
const MAX_REPLICAS = 65535;

export class CellConfigError extends Error {}

export function readCellToml(cellDir: string): CellConfig {
  const file = join(cellDir, 'cell.toml');
  if (!existsSync(file)) throw new CellConfigError(`${file}: not found (a cell directory needs a cell.toml with [cell] name = "...")`);
  let doc: Record<string, unknown>;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const msg = e instanceof TomlError ? `line ${e.line}, column ${e.column}: ${e.message.split('\n')[0]}` : (e as Error).message;
    throw new CellConfigError(`${file}: not valid TOML: ${msg}`);
  }
  const bad = (key: string, why: string): never => {
    throw new CellConfigError(`${file}: ${key} ${why}`);
  };

  const cell = doc.cell;
  if (!isTable(cell)) return bad('[cell]', 'is missing (it needs at least name = "...")');
  for (const [k, v] of Object.entries(cell)) {
    // Tables under [cell] other than limits/biology are dependency declarations (other cells), not ours to check.
    if (!['name', 'source', 'limits', 'biology'].includes(k) && !isTable(v)) bad(`[cell] ${k}`, 'is not a known key (name, source, [cell.limits], [cell.biology])');
  }
  if (typeof cell.name !== 'string' || !SERVICE_NAME.test(cell.name)) {
    bad('[cell] name', `must be a lowercase name matching ${SERVICE_NAME}, got ${JSON.stringify(cell.name)}`);
  }
  const name = cell.name as string;

  const sourceRel = cell.source ?? `${name}.ts`;
  if (typeof sourceRel !== 'string' || !sourceRel.endsWith('.ts')) bad('[cell] source', `must be a .ts file name, got ${JSON.stringify(sourceRel)}`);
  const source = resolve(cellDir, sourceRel as string);
  const inside = relative(resolve(cellDir), source);
  if (inside.startsWith('..') || isAbsolute(inside)) bad('[cell] source', `must be inside the cell directory, got ${JSON.stringify(sourceRel)}`);
  if (!existsSync(source)) bad('[cell] source', `${JSON.stringify(sourceRel)} does not exist (${source})`);

  const limits = { ...DEFAULT_LIMITS };
  if (cell.limits !== undefined) {
    if (!isTable(cell.limits)) bad('[cell.limits]', 'must be a table');
    const t = cell.limits as Record<string, unknown>;
    for (const k of Object.keys(t)) if (!(k in limits)) bad(`[cell.limits] ${k}`, 'is not a known key (in_bytes, out_bytes, memory)');
    limits.in_bytes = intIn(t.in_bytes, limits.in_bytes, 16, MAX_BUFFER, '[cell.limits] in_bytes', bad);
    // An ERROR payload with a useful message needs a few dozen bytes.
    limits.out_bytes = intIn(t.out_bytes, limits.out_bytes, 64, MAX_OUT_BYTES, '[cell.limits] out_bytes', bad);
    limits.memory = intIn(t.memory, limits.memory, MIN_CELL_MEMORY, MAX_CELL_MEMORY, '[cell.limits] memory', bad);
    if (limits.memory % CELL_MEMORY_GRANULE !== 0) {
      bad('[cell.limits] memory', `must be a multiple of ${CELL_MEMORY_GRANULE} bytes (the allocator's alignment), got ${limits.memory}`);
    }
  }

  const biology = { ...DEFAULT_BIOLOGY };
  if (cell.biology !== undefined) {
    if (!isTable(cell.biology)) bad('[cell.biology]', 'must be a table');
    const t = cell.biology as Record<string, unknown>;
    for (const k of Object.keys(t)) if (!(k in biology)) bad(`[cell.biology] ${k}`, 'is not a known key (min_replicas, max_replicas, cpu_target)');
    biology.min_replicas = intIn(t.min_replicas, biology.min_replicas, 1, MAX_REPLICAS, '[cell.biology] min_replicas', bad);
    biology.max_replicas = intIn(t.max_replicas, Math.max(biology.max_replicas, biology.min_replicas), 1, MAX_REPLICAS, '[cell.biology] max_replicas', bad);
    if (biology.max_replicas < biology.min_replicas) {
      bad('[cell.biology] max_replicas', `(${biology.max_replicas}) must be at least min_replicas (${biology.min_replicas})`);
    }
    biology.cpu_target = cpuTarget(t.cpu_target, biology.cpu_target, bad);
  }
  return { name, source, limits, biology };
}

function isTable(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

function intIn(v: unknown, dflt: number, lo: number, hi: number, key: string, bad: (k: string, why: string) => never): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) bad(key, `must be an integer in ${lo}..${hi}, got ${JSON.stringify(v)}`);
  return v as number;
}

/** A fraction in (0, 1], or a percentage string like "60%" (the spelling people reach for). */
function cpuTarget(v: unknown, dflt: number, bad: (k: string, why: string) => never): number {
  if (v === undefined) return dflt;
  let x = v;
  if (typeof v === 'string' && /^\d+(\.\d+)?%$/.test(v)) x = Number(v.slice(0, -1)) / 100;
  if (typeof x !== 'number' || !(x > 0 && x <= 1)) {
    bad('[cell.biology] cpu_target', `must be a fraction in (0, 1] such as 0.6, or a string like "60%", got ${JSON.stringify(v)}`);
  }
  return x as number;
}
