// `cell gateway --serial PATH ...`: the cells of boards on serial links, callable from the LAN
// (host/gateway/gateway.ts; docs/boards.md, Gateway).
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MULTICAST } from '../transport/udp-defaults.ts';
import { DEFAULT_PORT } from './run-command.ts';
import { kernelPath } from '../build/paths.ts';

export function registerGateway(program: Command): void {
  program
    .command('gateway')
    .description('make the cells of boards on serial links callable from the LAN: their species are announced by this node, which forwards each call over the cable and answers back')
    .requiredOption('--serial <path...>', 'serial device of a board (several allowed), e.g. /dev/ttyACM0 or the pty `cell flash --detach` printed')
    .option('--baud <n>', 'serial baud rate', '921600')
    .option('--silent-ms <ms>', 'withdraw a board\'s species from the LAN when it has not been heard for this long', '3000')
    .option('-p, --port <port>', 'UDP port to listen on', String(DEFAULT_PORT))
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--peer <host:port...>', 'other nodes to announce to and route through')
    .option('--multicast <group:port>', 'pheromone multicast group', `${DEFAULT_MULTICAST.address}:${DEFAULT_MULTICAST.port}`)
    .option('--no-multicast', 'no multicast pheromones (reach this node through --peer only)')
    .option('--key <file>', 'ed25519 secret key file (hex); created if missing', join(homedir(), '.cell', 'node.key'))
    .option('--ephemeral', 'use a fresh key (and node id) for this run only')
    .option('--kernel <file>', 'kernel .wasm', kernelPath('host'))
    .option('--config <file>', 'node config (TOML): [access] lists which keys may call which species (docs/security.md)')
    .option('--open', 'also accept unauthenticated frames on the LAN: a lab LAN only (docs/security.md)')
    .action(async (opts: { serial: string[]; baud: string; silentMs: string; port: string; host: string; peer?: string[]; multicast: string | false; key: string; ephemeral?: boolean; kernel: string; config?: string; open?: boolean }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, not "${opts.port}"`);
      const baudRate = Number(opts.baud);
      if (!Number.isInteger(baudRate) || baudRate < 50) throw new Error(`--baud must be a whole number of bits per second, not "${opts.baud}"`);
      const silentMs = Number(opts.silentMs);
      if (!(silentMs >= 100)) throw new Error(`--silent-ms must be at least 100, not "${opts.silentMs}"`);
      const { CellNode } = await import('../runtime/cell-node.ts');
      const { Gateway } = await import('../gateway/gateway.ts');
      const { SerialTransport } = await import('../transport/serial-transport.ts');
      const { UdpTransport, parseUdpAddress } = await import('../transport/udp-transport.ts');
      const { loadOrCreateIdentity, newIdentity, nodeIdHex } = await import('../identity/node-identity.ts');
      const { readNodeConfig, parseNodeConfig, accessRows } = await import('../runtime/node-config.ts');
      const nodeConfig = opts.config ? await readNodeConfig(opts.config) : parseNodeConfig(''); // no file: a file's defaults
      const kernelWasm = new Uint8Array(await readFile(opts.kernel));
      // The cables first: a board that is not there stops the command before any socket opens.
      const cables: import('../gateway/gateway.ts').Cable[] = [];
      for (const path of opts.serial) {
        const transport = await SerialTransport.open({ path, baudRate }).catch((err: Error) => {
          throw new Error(`--serial ${path}: ${err.message}`);
        });
        // A cable node is open and keyless, as the board is; its id only names this end of the cable.
        const node = await CellNode.create({ nodeId: (Math.random() * 0xfffffffe + 1) >>> 0, kernelWasm, transports: [transport], open: true });
        cables.push({ name: path, node });
      }
      const identity = opts.ephemeral ? await newIdentity() : await loadOrCreateIdentity(opts.key);
      const udp = await UdpTransport.open({
        host: opts.host, port, seeds: (opts.peer ?? []).map(parseUdpAddress),
        multicast: opts.multicast === false ? false : parseUdpAddress(opts.multicast),
      });
      const open = opts.open === true || nodeConfig.open;
      const hop = { ms: () => 0 };
      const lan = await CellNode.create({ nodeId: identity.nodeId, identity, open, kernelWasm, transports: [udp], pongDelayMs: () => hop.ms(), log: (level, text) => console.error(`[cell ${level}] ${text}`) });
      // As `cell run`: bound to a public address, only listed keys may call (docs/security.md).
      const access = accessRows(nodeConfig, opts.host, (name) => {
        throw new Error(`[access] names species "${name}" by name: a gateway hosts its boards' species; give the id ("0x...")`);
      });
      lan.kernel.setAccess(access.rows);
      lan.kernel.configure('accessListedOnly', access.listedOnly ? 1 : 0);
      const gateway = new Gateway({ lan, cables, silentMs, log: (line) => console.log(line) });
      hop.ms = () => gateway.serialRttMs();
      const a = udp.address;
      console.log(`gateway ${nodeIdHex(lan.nodeId)} key ${Buffer.from(identity.publicKey).toString('hex')}; ${open ? 'open' : 'authenticated frames only'} on the LAN, udp ${a.address}:${a.port}`);
      console.log(`listening to ${opts.serial.length} board link${opts.serial.length > 1 ? 's' : ''} at ${baudRate} baud: ${opts.serial.join(', ')}; a board's species appear once its first pheromone arrives (about a second); Ctrl-C stops`);
      const stop = async () => {
        gateway.close();
        await lan.close();
        for (const c of cables) await c.node.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
