// Generates the two views of the protocol table (docs/protocol.toml): an AssemblyScript module
// for the firmware and a TypeScript module for the host. `npm run build` runs it before the
// firmware compiles; test/protocol.test.ts checks the committed files equal what it produces.
// Plain text work only (no binaryen, no wabt), so it costs milliseconds.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { REPO_ROOT } from './paths.ts';

export const PROTOCOL_TOML = join(REPO_ROOT, 'docs', 'protocol.toml');
export const PROTOCOL_AS = join(REPO_ROOT, 'firmware', 'protocol', 'table.ts');
export const PROTOCOL_TS = join(REPO_ROOT, 'host', 'wire', 'protocol-table.ts');

const AS_TYPES = ['u8', 'u16', 'u32', 'i32'] as const;
type AsType = (typeof AS_TYPES)[number];
const TS_SHAPES = ['consts', 'enum', 'object', 'list'] as const;
type TsShape = (typeof TS_SHAPES)[number];

export interface ProtocolRow {
  /** The name in the table (SNAKE_CASE). */
  name: string;
  /** The AssemblyScript name: prefix + name, or Enum.name. */
  asName: string;
  /** The name the host and the docs use: the table name, or camelCase when the group says so. */
  hostName: string;
  value: number;
  asType: AsType;
  meaning: string;
}

export interface ProtocolGroup {
  key: string;
  meaning: string;
  asPrefix: string;
  asEnum?: string;
  asCount?: string;
  ts: TsShape;
  tsName?: string;
  tsType?: string;
  hex: boolean;
  /** The document (repo-relative) with a `<!-- protocol: key -->` table of these rows. */
  doc?: string;
  rows: ProtocolRow[];
}

const GROUP_KEYS = new Set(['meaning', 'as_prefix', 'as_type', 'as_enum', 'as_count', 'ts', 'ts_name', 'ts_type', 'ts_keys', 'hex', 'doc']);
const IDENT = /^[A-Z][A-Z0-9_]*$/;

function camel(snake: string): string {
  return snake.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string') throw new Error(`${where} must be a string`);
  return v;
}

/** Parses and checks the table: known keys, one-line meanings, u32 values, unique names, dense lists. */
export function parseProtocolTable(text: string): ProtocolGroup[] {
  const doc = parse(text) as Record<string, Record<string, unknown>>;
  const groups: ProtocolGroup[] = [];
  const asNames = new Set<string>();
  for (const [key, raw] of Object.entries(doc)) {
    const where = `[${key}]`;
    const ts = str(raw.ts, `${where} ts`) as TsShape;
    if (!TS_SHAPES.includes(ts)) throw new Error(`${where} ts must be one of ${TS_SHAPES.join(', ')}`);
    if (ts !== 'consts' && raw.ts_name === undefined) throw new Error(`${where} needs ts_name`);
    const camelKeys = raw.ts_keys === 'camel';
    const asEnum = raw.as_enum === undefined ? undefined : str(raw.as_enum, `${where} as_enum`);
    const group: ProtocolGroup = {
      key,
      meaning: str(raw.meaning, `${where} meaning`),
      asPrefix: raw.as_prefix === undefined ? '' : str(raw.as_prefix, `${where} as_prefix`),
      asEnum,
      asCount: raw.as_count === undefined ? undefined : str(raw.as_count, `${where} as_count`),
      ts,
      tsName: raw.ts_name === undefined ? undefined : str(raw.ts_name, `${where} ts_name`),
      tsType: raw.ts_type === undefined ? undefined : str(raw.ts_type, `${where} ts_type`),
      hex: raw.hex === true,
      doc: raw.doc === undefined ? undefined : str(raw.doc, `${where} doc`),
      rows: [],
    };
    for (const [name, row] of Object.entries(raw)) {
      if (GROUP_KEYS.has(name)) continue;
      const at = `${where} ${name}`;
      if (!IDENT.test(name)) throw new Error(`${at}: names are SNAKE_CASE`);
      if (typeof row !== 'object' || row === null) throw new Error(`${at}: unknown group key, or a row that is not { value, meaning }`);
      const r = row as Record<string, unknown>;
      const value = r.value;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`${at}: value must be an integer in 0..0xffffffff`);
      const asType = (r.as_type ?? raw.as_type) as AsType;
      if (!AS_TYPES.includes(asType)) throw new Error(`${at}: as_type must be one of ${AS_TYPES.join(', ')}`);
      const meaning = str(r.meaning, `${at} meaning`);
      if (meaning.includes('\n') || meaning.includes('*/')) throw new Error(`${at}: meaning must be one line`);
      const asName = asEnum ? `${asEnum}.${name}` : group.asPrefix + name;
      if (asNames.has(asName)) throw new Error(`${at}: AssemblyScript name ${asName} is used twice`);
      asNames.add(asName);
      group.rows.push({ name, asName, hostName: camelKeys ? camel(name) : name, value, asType, meaning });
    }
    if (group.rows.length === 0) throw new Error(`${where} has no rows`);
    if (ts === 'list' || group.asCount) {
      group.rows.forEach((r, i) => {
        if (r.value !== i) throw new Error(`${where} ${r.name}: rows must be numbered 0..n-1 in order, got ${r.value} at ${i}`);
      });
    }
    groups.push(group);
  }
  return groups;
}

export function readProtocolTable(path = PROTOCOL_TOML): ProtocolGroup[] {
  return parseProtocolTable(readFileSync(path, 'utf8'));
}

function literal(g: ProtocolGroup, v: number): string {
  return g.hex || v >= 0xc0 ? `0x${v.toString(16).padStart(2, '0')}` : String(v);
}

const HEADER = (comment: string) =>
  `${comment} Generated from docs/protocol.toml by host/build/generate-protocol.ts (npm run build). Do not edit:\n` +
  `${comment} change the table and rebuild. test/protocol.test.ts holds this file to the table.`;

export function protocolAssemblyScript(groups: ProtocolGroup[]): string {
  const out = [HEADER('//')];
  for (const g of groups) {
    out.push('', `// ${g.meaning}`);
    if (g.asEnum) {
      out.push(`export enum ${g.asEnum} {`);
      for (const r of g.rows) out.push(`  /** ${r.meaning} */`, `  ${r.name} = ${literal(g, r.value)},`);
      out.push('}');
    } else {
      for (const r of g.rows) out.push(`/** ${r.meaning} */`, `export const ${r.asName}: ${r.asType} = ${literal(g, r.value)};`);
    }
    if (g.asCount) out.push(`export const ${g.asCount}: i32 = ${g.rows.length};`);
  }
  const rows = groups.flatMap((g) => g.rows);
  // Two bytes a value keeps the kernel small; the few wider values get a branch of their own.
  const wide = rows.flatMap((r, i) => (r.value > 0xffff ? [`  if (i == ${i}) return <f64>${r.asName};`] : []));
  out.push(
    '',
    '// Every value above in table order, for the kernel export k_protocol: the host checks that the',
    '// kernel it runs was built from the same table (test/protocol.test.ts). In a function, so the',
    '// values take memory only in a module that calls it (the kernel, not the cells).',
    `export const PROTOCOL_COUNT: i32 = ${rows.length};`,
    '',
    '/** Value i of the table, NaN past its end. */',
    'export function protocolValue(i: i32): f64 {',
    ...wide,
    '  const values = memory.data<u16>([',
    ...chunk(rows.map((r) => (r.value > 0xffff ? '0' : `<u16>${r.asName}`)), 5).map((names) => `    ${names.join(', ')},`),
    '  ]);',
    '  return i >= 0 && i < PROTOCOL_COUNT ? <f64>load<u16>(values + (<usize>i << 1)) : NaN;',
    '}',
    '',
  );
  return out.join('\n');
}

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** The host's expression for a row's value: through the generated const, so an edit there shows. */
function hostRef(g: ProtocolGroup, r: ProtocolRow): string {
  if (g.ts === 'consts') return r.hostName;
  if (g.ts === 'list') return `${g.tsName}.indexOf('${r.hostName}')`;
  return `${g.tsName}.${r.hostName}`;
}

export function protocolTypeScript(groups: ProtocolGroup[]): string {
  const out = [HEADER('//')];
  for (const g of groups) {
    out.push('', `// ${g.meaning}`);
    if (g.ts === 'consts') {
      for (const r of g.rows) out.push(`/** ${r.meaning} */`, `export const ${r.hostName} = ${literal(g, r.value)};`);
    } else if (g.ts === 'enum') {
      out.push(`export enum ${g.tsName} {`);
      for (const r of g.rows) out.push(`  /** ${r.meaning} */`, `  ${r.hostName} = ${literal(g, r.value)},`);
      out.push('}');
    } else if (g.ts === 'object') {
      out.push(`export const ${g.tsName} = {`);
      for (const r of g.rows) out.push(`  /** ${r.meaning} */`, `  ${r.hostName}: ${literal(g, r.value)},`);
      out.push('} as const;');
      if (g.tsType) out.push(`export type ${g.tsType} = keyof typeof ${g.tsName};`);
    } else {
      out.push(`export const ${g.tsName} = [`);
      for (const r of g.rows) out.push(`  /** ${r.value}: ${r.meaning} */`, `  '${r.hostName}',`);
      out.push('] as const;');
      if (g.tsType) out.push(`export type ${g.tsType} = (typeof ${g.tsName})[number];`);
    }
  }
  out.push(
    '',
    '/** One row of the table: its group, AssemblyScript name, host name and value. */',
    'export interface ProtocolRow {',
    '  group: string;',
    '  asName: string;',
    '  hostName: string;',
    '  value: number;',
    '}',
    '',
    '/** Every row in table order, which is the order of the kernel export k_protocol(i). */',
    'export const PROTOCOL_ROWS: readonly ProtocolRow[] = [',
    ...groups.flatMap((g) => g.rows.map((r) => `  { group: '${g.key}', asName: '${r.asName}', hostName: '${r.hostName}', value: ${hostRef(g, r)} },`)),
    '];',
    '',
  );
  return out.join('\n');
}

/** The generated files as they should be now. */
export function protocolSources(groups = readProtocolTable()): Array<{ path: string; text: string }> {
  return [
    { path: PROTOCOL_AS, text: protocolAssemblyScript(groups) },
    { path: PROTOCOL_TS, text: protocolTypeScript(groups) },
  ];
}

/** Writes the generated files that differ from the table; returns the paths written. */
export function writeProtocol(): string[] {
  const written: string[] = [];
  for (const { path, text } of protocolSources()) {
    let old: string | undefined;
    try {
      old = readFileSync(path, 'utf8');
    } catch {
      old = undefined;
    }
    if (old === text) continue;
    writeFileSync(path, text);
    written.push(path);
  }
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const p of writeProtocol()) console.log(`wrote ${p}`);
}
