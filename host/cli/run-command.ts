import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { kernelPath } from '../build/paths.ts';
import { DEFAULT_MULTICAST } from '../transport/udp-defaults.ts';
import type { Transport } from '../transport/transport.ts';

export const DEFAULT_PORT = 4700;

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('host cells on this machine and serve calls over UDP until interrupted; with no cell, an empty node (capacity for others\' cells)')
    .argument('[cells...]', 'built cells: .wasm files (cell build) or signed .spore files (cell build --sign, run only with --trust)')
    .option('--trust <key...>', 'authority public keys whose spores this node runs (64 hex digits, or a FILE.pub)')
    .option('--spore-cache <dir>', 'the spore cache (default $CELL_HOME/spores, else ~/.cell/spores)')
    .option('-p, --port <port>', 'UDP port to listen on', String(DEFAULT_PORT))
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--peer <host:port...>', 'other nodes to announce to and route through')
    .option('--udp', 'serve over UDP (the default transport)')
    .option('--multicast <group:port>', 'pheromone multicast group', `${DEFAULT_MULTICAST.address}:${DEFAULT_MULTICAST.port}`)
    .option('--no-multicast', 'no multicast pheromones (reach this node through --peer only)')
    .option('--serial <path>', 'also serve over this serial port (COBS + CRC frames), e.g. /dev/ttyUSB0')
    .option('--baud <n>', 'serial baud rate', '115200')
    .option('--key <file>', 'ed25519 secret key file (hex); created if missing', join(homedir(), '.cell', 'node.key'))
    .option('--ephemeral', 'use a fresh key (and node id) for this run only')
    .option('--kernel <file>', 'kernel .wasm', kernelPath('host'))
    .option('--fuel <n>', 'instruction budget per call', '10000000')
    .option('--state-dir <dir>', 'where hosted cells keep their durable store (default ~/.cell/state/<node id>; with --ephemeral, none: the store lives in memory)')
    .option('--config <file>', 'node config (TOML): [access] lists which keys may call which species (docs/security.md)')
    .option('--open', 'also accept unauthenticated frames: a lab LAN only (docs/security.md)')
    .option('--board <name>', 'board profile (boards/<name>.json) whose instruction rate is this node\'s capacity: the CPU share it announces and mitosis reads', 'raspberry-pi-4')
    .option('--time-scale <n>', 'run this node\'s clock n times faster than real time (1..100): every kernel timer, and mitosis\' minutes of cool-down, pass n times sooner, and its capacity is divided by n; for tests and demos of mitosis on real processes', '1')
    .option('--control <path>', 'owner-only socket `cell stats` reads (default ~/.cell/run/node-<port>.sock)')
    .action(async (files: string[], opts: { trust?: string[]; sporeCache?: string; port: string; host: string; peer?: string[]; key: string; ephemeral?: boolean; kernel: string; fuel: string; multicast: string | false; serial?: string; baud: string; board: string; control?: string; stateDir?: string; config?: string; open?: boolean; timeScale: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, not "${opts.port}"`);
      const fuel = Number(opts.fuel);
      if (!Number.isInteger(fuel) || fuel < 1 || fuel > 0x7fffffff) throw new Error(`--fuel must be 1..2147483647, not "${opts.fuel}"`);
      const timeScale = Number(opts.timeScale);
      if (!(timeScale >= 1 && timeScale <= 100)) throw new Error(`--time-scale must be a number from 1 to 100, not "${opts.timeScale}"`);
      // Loaded here so that other commands do not pay for the runtime (crypto, the kernel).
      const { CellNode } = await import('../runtime/cell-node.ts');
      const { SporeBytes } = await import('../runtime/spore-bytes.ts');
      const { LogLevel } = await import('../wire/protocol-table.ts');
      const { speciesHex } = await import('../sdk/species.ts');
      const { readBoard } = await import('../runtime/board-profile.ts');
      const board = await readBoard(opts.board);
      const { readNodeConfig, parseNodeConfig, accessRows, serveRows } = await import('../runtime/node-config.ts');
      const nodeConfig = opts.config ? await readNodeConfig(opts.config) : parseNodeConfig(''); // no file: a file's defaults
      // Spores are verified before any socket opens: a refused one stops the node with its reason.
      const { loadSpores } = await import('./spore-loading.ts');
      const spores = await loadSpores(files, { trustArgs: opts.trust ?? [], trustConfig: nodeConfig.trust, cacheDir: opts.sporeCache });
      const { UdpTransport, parseUdpAddress } = await import('../transport/udp-transport.ts');
      const { loadOrCreateIdentity, newIdentity, nodeIdHex } = await import('../identity/node-identity.ts');
      const identity = opts.ephemeral ? await newIdentity() : await loadOrCreateIdentity(opts.key);
      const udp = await UdpTransport.open({
        host: opts.host, port, seeds: (opts.peer ?? []).map(parseUdpAddress),
        multicast: opts.multicast === false ? false : parseUdpAddress(opts.multicast),
      });
      const transports: Transport[] = [udp];
      if (opts.serial) {
        const baudRate = Number(opts.baud);
        if (!Number.isInteger(baudRate) || baudRate < 50) throw new Error(`--baud must be a whole number of bits per second, not "${opts.baud}"`);
        const { SerialTransport } = await import('../transport/serial-transport.ts');
        transports.push(await SerialTransport.open({ path: opts.serial, baudRate }));
      }
      // Mitosis between nodes: a trusting node takes SPAWN offers and caches what it fetches.
      const { SpawnHost } = await import('../runtime/spawn-host.ts');
      const { SporeCache } = await import('../spore/spore-cache.ts');
      const spawnCache = spores.cache ?? (spores.trust.isEmpty ? null : await SporeCache.open({ dir: opts.sporeCache }));
      // A fetch over a second: a bar at a terminal (stderr), else a line every 3 s and one at its end.
      const { createProgress } = await import('./progress.ts');
      const shown = new Map<string, { bar: ReturnType<typeof createProgress>; lineAt: number }>();
      const spawns = new SpawnHost({
        trust: spores.trust, cache: spawnCache,
        onProgress: (p) => {
          let f = shown.get(p.name);
          if (!f) shown.set(p.name, (f = { bar: createProgress({ total: p.size, label: `fetching ${p.name}`, unit: 'bytes' }), lineAt: -Infinity }));
          f.bar.update(p.received);
          if (!f.bar.active && (p.done || p.ms - f.lineAt >= 3000)) {
            f.lineAt = p.ms;
            console.log(`fetching ${p.name}: ${p.received} of ${p.size} bytes after ${(p.ms / 1000).toFixed(1)} s${p.done ? (p.received === p.size ? ', all in' : ', stopped') : ''}`);
          }
          if (p.done) {
            f.bar.stop();
            shown.delete(p.name);
          }
        },
      });
      const node = await CellNode.create({
        spawns,
        onSpawned: (from, r) => {
          const who = nodeIdHex(from);
          if ('cell' in r) console.log(`spawned ${r.cell.name} (species ${speciesHex(r.cell.speciesId)}) for node ${who}: ${r.fromCache ? 'from the spore cache' : 'fetched'}, verified, cached, serving`);
          else if ('refused' in r) console.log(`refused a spawn from node ${who}: ${r.refused}`);
          else console.log(`a spawn from node ${who} failed: ${r.failed}`);
        },
        nodeId: identity.nodeId,
        identity,
        open: opts.open === true || nodeConfig.open,
        kernelWasm: new Uint8Array(await readFile(opts.kernel)),
        transports,
        // Serves the code of the cells it hosts, and of the spores its cache holds, to nodes that
        // fetch it (docs/spores.md, Transfer); whole spores served are counted for `cell spores`.
        spores: new SporeBytes(spawnCache ? {
          lookup: (hash) => spawnCache.moduleSync(hash),
          onServed: (hash) => void spawnCache.markServed(Buffer.from(hash).toString('hex')).catch(() => {}),
          // A fetch cut off by a restart goes on from the chunks it kept here.
          partialDir: join(spawnCache.dir, 'partial'),
          onPartialError: (err) => console.error(`[cell warn] a partial fetch was not kept on disk (it goes on in memory): ${err.message}`),
        } : {}),
        fuelPerCall: fuel,
        capacity: board.instructionsPerSecond,
        timeScale,
        stateDir: opts.stateDir ?? (opts.ephemeral ? undefined : join(homedir(), '.cell', 'state', nodeIdHex(identity.nodeId))),
        log: (level, text) => console.error(`[cell ${level}] ${text}`),
        onRetire: (cell) => console.log(`retired ${cell.name} (species ${speciesHex(cell.speciesId)}): its kernel decided the other replicas carry the load`),
        cellLog: (cell, level, text) => console.error(`[${cell} ${(LogLevel[level] ?? String(level)).toLowerCase()}] ${text}`),
      });
      for (const c of spores.cells) {
        const cell = await node.host(c.module);
        console.log(`hosting ${cell.name} (species ${speciesHex(cell.speciesId)}) from ${c.file}${c.from}`);
        if (c.signed) spawns.remember(cell.speciesId, c.signed);
        if (c.biology) {
          node.setBiology(cell.slot, c.biology);
          console.log(`  [cell.biology] min_replicas ${c.biology.min_replicas}, max_replicas ${c.biology.max_replicas}, cpu_target ${c.biology.cpu_target}: it divides and retires on its own`);
        }
      }
      if (spores.cells.length === 0) console.log(`hosting nothing yet: an empty node${spores.trust.isEmpty ? '' : `, trusting ${spores.trust.keys().filter((k) => k.state !== 'revoked').length} authorities`}`);
      const access = accessRows(nodeConfig, opts.host, (name) => {
        const cell = [...node.cells.values()].find((c) => c.name === name);
        if (!cell) throw new Error(`[access] names species "${name}", which this node does not host`);
        return cell.speciesId;
      });
      node.kernel.setAccess(access.rows);
      // Served species are usually not hosted here: a name is looked up among the hosted cells, then the built ones.
      const serve = serveRows(nodeConfig, (name) => {
        const cell = [...node.cells.values()].find((c) => c.name === name);
        if (cell) return cell.speciesId;
        try {
          return (JSON.parse(readFileSync(join('build', 'cells', `${name}.schema.json`), 'utf8')) as { speciesId: number }).speciesId;
        } catch {
          throw new Error(`access.serve names species "${name}": not hosted here and no build/cells/${name}.schema.json; give its id ("0x...")`);
        }
      });
      node.kernel.setServe(serve);
      if (serve.length > 0) console.log(`access.serve: ${serve.length} (key, species) rows; calls of a species they name go only to its listed keys`);
      node.kernel.configure('accessListedOnly', access.listedOnly ? 1 : 0);
      const open = opts.open === true || nodeConfig.open;
      console.log(`key ${Buffer.from(identity.publicKey).toString('hex')}; ${open ? 'open: unauthenticated frames accepted' : 'authenticated frames only'}; ${access.listedOnly ? `${access.rows.length} listed (key, species) pairs may call` : 'any authenticated peer may call'}`);
      const a = udp.address;
      const where = a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
      if (timeScale !== 1) console.log(`node clock: ${timeScale}x real time (--time-scale); its capacity reads as ${board.instructionsPerSecond / timeScale} instructions per node second`);
      console.log(`node ${nodeIdHex(node.nodeId)} listening on udp ${where}${opts.serial ? ` and serial ${opts.serial} at ${opts.baud} baud` : ''}; Ctrl-C stops`);
      if (opts.multicast !== false && udp.stats.groupBind === '') console.log(`no multicast discovery on ${a.address}: no interface there carries IPv6 multicast (loopback does not); callers reach this node with --peer`);
      const { serveStats, defaultControlPath } = await import('./stats-socket.ts');
      const control = await serveStats(opts.control ?? defaultControlPath(a.port), () => node.stats());
      console.log(`counters: cell stats --control ${control.path}`);
      const stop = async () => {
        await spores.release();
        await control.close();
        await node.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
