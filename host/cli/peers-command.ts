import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { kernelPath } from '../build/paths.ts';
import { DEFAULT_MULTICAST } from '../transport/udp-defaults.ts';
import type { PeerInfo } from '../runtime/kernel-instance.ts';

function fmtMs(v: number | null): string {
  return v === null || !Number.isFinite(v) ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1);
}

/** The table `cell peers` draws: one row per node the kernel knows. */
export function peerTable(peers: PeerInfo[], names: Map<number, string>): string {
  const rows = [['node', 'species', 'load', 'spare', 'rtt ms (measured)', 'rtt ms (predicted)', 'heard', 'health']];
  for (const p of [...peers].sort((a, b) => (a.measuredRttMs ?? a.predictedRttMs) - (b.measuredRttMs ?? b.predictedRttMs))) {
    rows.push([
      p.nodeId.toString(16).padStart(8, '0'),
      p.species.map((s) => names.get(s) ?? `0x${s.toString(16).padStart(8, '0')}`).join(',') || '-',
      `${(p.load * 100).toFixed(0)}%`,
      `${(p.spare * 100).toFixed(0)}%`,
      fmtMs(p.measuredRttMs),
      fmtMs(p.predictedRttMs),
      `${(p.ageMs / 1000).toFixed(1)} s ago`,
      p.healthy ? 'ok' : 'failing',
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')).join('\n');
}

export function registerPeers(program: Command): void {
  program
    .command('peers')
    .description('show a live table of the nodes this machine hears: species, load, RTT (measured and predicted)')
    .option('--multicast <group:port>', 'pheromone multicast group', `${DEFAULT_MULTICAST.address}:${DEFAULT_MULTICAST.port}`)
    .option('--peer <host:port...>', 'also probe these nodes directly')
    .option('--interval <ms>', 'refresh period', '1000')
    .option('--once <ms>', 'listen this long, print one table (or --json) and exit')
    .option('--json', 'with --once: print the rows as JSON')
    .option('--schema-dir <dir>', 'built schemas, to show species by name', 'build/cells')
    .option('--kernel <file>', 'kernel .wasm', kernelPath('host'))
    .action(async (opts: { multicast: string; peer?: string[]; interval: string; once?: string; json?: boolean; schemaDir: string; kernel: string }) => {
      const interval = Number(opts.interval);
      if (!(interval >= 100)) throw new Error(`--interval must be at least 100 ms, not "${opts.interval}"`);
      const once = opts.once === undefined ? undefined : Number(opts.once);
      if (once !== undefined && !(once > 0)) throw new Error(`--once must be a positive number of milliseconds, not "${opts.once}"`);
      const { CellNode } = await import('../runtime/cell-node.ts');
      const { UdpTransport, parseUdpAddress, localAddressFor } = await import('../transport/udp-transport.ts');
      const { newIdentity } = await import('../identity/node-identity.ts');
      const names = await speciesNames(opts.schemaDir);
      const seeds = (opts.peer ?? []).map(parseUdpAddress);
      // Loopback (where `cell run` sends pheromones by default), or the interface that reaches the
      // first --peer; never 0.0.0.0.
      const host = seeds.length > 0 ? await localAddressFor(seeds[0]!) : '127.0.0.1';
      const udp = await UdpTransport.open({ host, port: 0, multicast: parseUdpAddress(opts.multicast), seeds });
      // A listener: it probes what it hears (so RTTs are measured) but announces nothing.
      const node = await CellNode.create({ nodeId: (await newIdentity()).nodeId, kernelWasm: new Uint8Array(await readFile(opts.kernel)), transports: [udp], config: { announceIntervalMs: 0 } });
      if (once !== undefined) {
        await new Promise((r) => setTimeout(r, once));
        const peers = node.kernel.peers();
        console.log(opts.json ? JSON.stringify(peers.map((p) => ({ ...p, species: p.species.map((s) => names.get(s) ?? s) })), null, 2) : peerTable(peers, names));
        await node.close();
        return;
      }
      const draw = () => {
        const table = peerTable(node.kernel.peers(), names);
        if (process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
        process.stdout.write(`cell peers: ${node.kernel.peers().length} nodes heard (Ctrl-C stops)\n\n${table}\n\n`);
      };
      const timer = setInterval(draw, interval);
      draw();
      process.once('SIGINT', async () => {
        clearInterval(timer);
        await node.close();
        process.exit(0);
      });
    });
}

/** species id -> cell name, from the built schemas (unknown species print as hex). */
async function speciesNames(dir: string): Promise<Map<number, string>> {
  const { readdir } = await import('node:fs/promises');
  const names = new Map<number, string>();
  let files: string[] = [];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.schema.json'));
  } catch {
    return names;
  }
  for (const f of files) {
    try {
      const j = JSON.parse(await readFile(`${dir}/${f}`, 'utf8'));
      if (typeof j.speciesId === 'number' && typeof j.schema?.name === 'string') names.set(j.speciesId, j.schema.name);
    } catch {
      // A schema file that does not parse just shows its species as hex.
    }
  }
  return names;
}
