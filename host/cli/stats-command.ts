// `cell stats`: the drop and error counters of a running `cell run` node, by reason (the kernel's
// k_stat rows, each transport's own, each cell's), and every table that grows with what
// strangers send, with its cap. Read through the node's owner-only control socket (stats-socket.ts).
import type { Command } from 'commander';
import type { NodeStats } from '../runtime/cell-node.ts';
import { DEFAULT_PORT } from './run-command.ts';
import { defaultControlPath, readStats } from './stats-socket.ts';

interface TableRow {
  table: string;
  rows: number;
  cap: number | null;
  evicted: number;
}

/** The capped tables of a node's stats: what fills them is what strangers send. */
export function cappedTables(s: NodeStats): TableRow[] {
  const out: TableRow[] = [{ table: 'routes (node -> transport; 2+ transports)', rows: s.routes.size, cap: s.routes.cap, evicted: s.routes.evictions }];
  s.transports.forEach((t) => {
    const a = t.addresses as { size: number; cap: number; evictions: number } | undefined;
    if (a) out.push({ table: `${t.name} addresses (node -> address)`, rows: a.size, cap: a.cap, evicted: a.evictions });
    if (typeof t.partialCap === 'number') {
      out.push({ table: `${t.name} reassembly (${t.perSenderCap} per sender)`, rows: t.partials as number, cap: t.partialCap, evicted: t.partialsEvicted as number });
    }
  });
  // The kernel's own tables are fixed arrays in its memory; it counts the rows each gave up or refused.
  for (const [name, t] of Object.entries(s.kernelTables ?? {})) out.push({ table: `kernel ${name}`, rows: t.rows, cap: t.cap, evicted: t.givenUp });
  return out;
}

/** Every counter as [source, name, value]; nested records flattened to dotted names. */
export function counterRows(s: NodeStats): Array<[string, string, number]> {
  const rows: Array<[string, string, number]> = [];
  const add = (source: string, record: Record<string, unknown>, prefix = '') => {
    for (const [k, v] of Object.entries(record)) {
      if (typeof v === 'number') rows.push([source, prefix + k, v]);
      else if (v && typeof v === 'object') add(source, v as Record<string, unknown>, `${prefix}${k}.`);
    }
  };
  add('kernel', s.kernel);
  s.transports.forEach((t) => {
    const { name, addresses: _a, partials: _p, partialCap: _c, perSenderCap: _q, ...rest } = t;
    add(name, rest);
  });
  s.cells.forEach((c) => {
    const { name, speciesId: _s, slot: _l, ...rest } = c;
    add(`cell ${name}`, rest);
  });
  add('node', { pendingCalls: s.calls.pending, waitingCalls: s.calls.waiting, routedOut: s.routes.routedOut, floodedOut: s.routes.floodedOut });
  return rows;
}

function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')).join('\n');
}

/** What `cell stats` prints without --json. */
export function statsText(s: NodeStats): string {
  const tables = [['table', 'rows', 'cap', 'evicted'], ...cappedTables(s).map((r) => [r.table, String(r.rows), r.cap === null ? '-' : String(r.cap), String(r.evicted)])];
  const counters = [['from', 'counter', 'value'], ...counterRows(s).map(([a, b, v]) => [a, b, String(v)])];
  return `node ${s.nodeId.toString(16).padStart(8, '0')}, up ${(s.uptimeMs / 1000).toFixed(1)} s\n\n${columns(tables)}\n\n${columns(counters)}\n`;
}

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description('show a running node\'s drop and error counters by reason, and its tables with their caps (read from its local control socket)')
    .option('-p, --port <port>', 'UDP port of the `cell run` node to ask', String(DEFAULT_PORT))
    .option('--control <path>', 'the node\'s control socket (default: ~/.cell/run/node-<port>.sock, as `cell run` made it)')
    .option('--json', 'print the stats as JSON')
    .action(async (opts: { port: string; control?: string; json?: boolean }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port must be 1..65535, not "${opts.port}"`);
      const stats = (await readStats(opts.control ?? defaultControlPath(port))) as NodeStats;
      process.stdout.write(opts.json ? `${JSON.stringify(stats, null, 2)}\n` : statsText(stats));
    });
}
