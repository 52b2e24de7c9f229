import type { Command } from 'commander';
import { readFile, access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { kernelPath } from '../build/paths.ts';
import type { CellSchema } from '../sdk/schema.ts';
import { DEFAULT_PORT } from './run-command.ts';
import { DEFAULT_MULTICAST } from '../transport/udp-defaults.ts';
import type { CellNode } from '../runtime/cell-node.ts';

/** Finds a species' schema: a path, or a name looked up as <dir>/<name>.schema.json. */
export async function loadSchema(nameOrPath: string, dir: string): Promise<CellSchema> {
  const candidates = nameOrPath.endsWith('.json') ? [resolve(nameOrPath)] : [join(resolve(dir), `${nameOrPath}.schema.json`)];
  for (const file of candidates) {
    try {
      await access(file);
    } catch {
      continue;
    }
    const { validateSchema } = await import('../sdk/schema.ts');
    // A built <name>.schema.json is { speciesId, species, schema }; a bare schema is accepted too.
    const json = JSON.parse(await readFile(file, 'utf8'));
    return validateSchema(json && typeof json === 'object' && 'schema' in json ? json.schema : json);
  }
  throw new Error(`no schema for "${nameOrPath}" (looked for ${candidates.join(', ')}); build the cell first or pass --schema-dir`);
}

/** Calls as soon as the kernel knows a replica (pheromones arrive about once a second). */
async function callWhenRouted(node: CellNode, species: number, payload: Uint8Array, timeoutMs: number, name: string) {
  const { CallRefused } = await import('../runtime/call-refused.ts');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await node.call(species, payload);
    } catch (err) {
      if (!(err instanceof CallRefused) || err.reason !== 'NO_ROUTE') throw err;
      if (Date.now() > deadline) throw new Error(`no replica of ${name} announced itself within ${timeoutMs} ms (is \`cell run\` running? try --peer host:port)`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function show(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));
}

export function registerCall(program: Command): void {
  program
    .command('call')
    .description('call a method of a species and print the reply as JSON (a void method prints null)')
    .argument('<species>', 'cell name (schema looked up in --schema-dir) or a .schema.json path')
    .argument('<method>', 'method name')
    .argument('[args]', 'arguments as JSON: an object by parameter name or an array', '[]')
    .option('--peer <host:port...>', `ask these nodes directly (e.g. 127.0.0.1:${DEFAULT_PORT}) instead of discovering replicas by multicast`)
    .option('--multicast <group:port>', 'pheromone multicast group to discover replicas on', `${DEFAULT_MULTICAST.address}:${DEFAULT_MULTICAST.port}`)
    .option('--schema-dir <dir>', 'where built schemas are', 'build/cells')
    .option('--timeout <ms>', 'give up after this long', '3000')
    .option('--key <file>', 'call as the node with this ed25519 secret key file (hex, as cell run --key; created if missing), so a server\'s [access] list can name it; default: a fresh key for each call')
    .option('--server-key <hex...>', 'accept only a node with one of these ed25519 public keys (64 hex, or a FILE.pub) as the server: routed calls skip other replicas, a --peer with another key is refused')
    .option('--kernel <file>', 'kernel .wasm', kernelPath('host'))
    .action(async (speciesArg: string, method: string, argsText: string, opts: { peer?: string[]; multicast: string; schemaDir: string; timeout: string; kernel: string; serverKey?: string[]; key?: string }) => {
      const { parsePublicKeyArg } = await import('../spore/authority-key.ts');
      const serverKeys = await Promise.all((opts.serverKey ?? []).map(async (k) => Buffer.from(await parsePublicKeyArg(k).catch((err: Error) => {
        throw new Error(`--server-key: ${err.message}`);
      }))));
      const schema = await loadSchema(speciesArg, opts.schemaDir);
      let json: unknown;
      try {
        json = JSON.parse(argsText);
      } catch (err) {
        throw new Error(`arguments are not valid JSON: ${(err as Error).message}`);
      }
      const timeout = Number(opts.timeout);
      if (!(timeout > 0)) throw new Error(`--timeout must be a positive number of milliseconds, not "${opts.timeout}"`);
      // Loaded here so that the other commands and --help do not pay for the runtime.
      const [{ CellNode }, { UdpTransport, parseUdpAddress, localAddressFor }, { newIdentity, loadOrCreateIdentity }, { argsFromJson, encodeCall, decodeReply, decodeError }, { speciesIdOf }] = await Promise.all([
        import('../runtime/cell-node.ts'), import('../transport/udp-transport.ts'), import('../identity/node-identity.ts'),
        import('../sdk/call-codec.ts'), import('../sdk/species.ts'),
      ]);
      const payload = encodeCall(schema, method, argsFromJson(schema, method, json));
      const seeds = (opts.peer ?? []).map(parseUdpAddress);
      const direct = seeds.length > 0;
      // An ephemeral port on the interface that reaches the first peer; discovery listens on
      // loopback, where `cell run` sends its pheromones by default. Never 0.0.0.0.
      const udp = await UdpTransport.open({
        host: direct ? await localAddressFor(seeds[0]!) : '127.0.0.1', port: 0, seeds,
        multicast: direct ? false : parseUdpAddress(opts.multicast),
      });
      const identity = opts.key ? await loadOrCreateIdentity(opts.key) : await newIdentity();
      const node = await CellNode.create({
        nodeId: identity.nodeId,
        identity,
        kernelWasm: new Uint8Array(await readFile(opts.kernel)),
        transports: [udp],
        // A one-shot client sends no pheromones. With --peer the seeds are its default route;
        // otherwise its kernel routes to the nearest replica it has heard announce itself.
        // Three attempts with doubling timeouts (t + 2t + 4t) fit in --timeout.
        config: { defaultRoute: direct ? 1 : 0, announceIntervalMs: 0, probeIntervalMs: 0, callAttempts: 3, callTimeoutMs: timeout / 7 },
      });
      // The kernel's serve list: replicas of this species count only when announced under a listed key.
      node.kernel.setServe(serverKeys.map((publicKey) => ({ publicKey, species: speciesIdOf(schema) })));
      try {
        // --peer: a session with whatever node answers there first; then only that node may answer the call.
        let dst = 0;
        if (direct) {
          try {
            dst = await node.handshake(0, timeout);
          } catch (err) {
            // Nothing answered the handshake: to the user, the same as a call nobody answered.
            process.stderr.write(`cell: ${schema.name}.${method} failed: TIMEOUT: ${(err as Error).message}\n`);
            process.exitCode = 3;
            return;
          }
          const key = node.keyOf(dst);
          if (serverKeys.length > 0 && !serverKeys.some((k) => key && k.equals(key))) {
            process.stderr.write(`cell: ${schema.name}.${method} not sent: the node at ${opts.peer![0]} has key ${key ? Buffer.from(key).toString('hex') : '(unknown)'}, not one of --server-key\n`);
            process.exitCode = 3;
            return;
          }
        }
        const answer = dst ? await node.call(speciesIdOf(schema), payload, dst) : await callWhenRouted(node, speciesIdOf(schema), payload, timeout, schema.name);
        if (answer.kind === 'reply') {
          // A void method's reply decodes to undefined: print JSON's null, so the output always parses.
          console.log(show(decodeReply(schema, method, answer.payload) ?? null));
        } else {
          const e = decodeError(answer.payload);
          process.stderr.write(`cell: ${schema.name}.${method} failed: ${e.name} (${e.code}): ${e.message}\n`);
          process.exitCode = 3;
        }
      } finally {
        await node.close();
      }
    });
}
