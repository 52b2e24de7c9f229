// The RPC stack's own CPU, without sockets: a client node's kernel -> a server node's kernel -> the
// echo cell -> back, in one process through a transport that hands frames straight across, beside
// the echo cell called alone (the part of the time that is the cell's).
import { readFile } from 'node:fs/promises';
import { CellNode } from '../host/runtime/cell-node.ts';
import { CellInstance } from '../host/runtime/cell-instance.ts';
import type { Transport, TransportStats } from '../host/transport/transport.ts';
import { encodeCall } from '../host/sdk/call-codec.ts';
import { validateSchema } from '../host/sdk/schema.ts';
import { speciesIdOf } from '../host/sdk/species.ts';
import { kernelPath, REPO_ROOT } from '../host/build/paths.ts';

export interface RpcStackBench {
  usPerCall: number;
  baseline: { usPerCall: number };
}

/** Frames go straight to the other end's handler: no event loop, no copy beyond the node's own. */
class Direct implements Transport {
  readonly name = 'direct';
  readonly stats: TransportStats = { framesOut: 0, framesIn: 0, dropped: 0 };
  other: Direct | undefined;
  private handler: ((frame: Uint8Array) => void) | undefined;
  send(frame: Uint8Array): void {
    this.stats.framesOut++;
    this.other?.handler?.(frame);
  }
  onFrame(handler: (frame: Uint8Array) => void): void {
    this.handler = handler;
  }
  async close(): Promise<void> {}
}

function perCall(run: () => unknown, seconds: number): number {
  for (let i = 0; i < 20_000; i++) run();
  let n = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) run();
    n += 1000;
  }
  return ((performance.now() - t0) * 1000) / n;
}

export async function benchRpcStack(opts: { seconds?: number } = {}): Promise<RpcStackBench> {
  const seconds = opts.seconds ?? 2;
  const a = new Direct();
  const b = new Direct();
  a.other = b;
  b.other = a;
  const kernelWasm = new Uint8Array(await readFile(kernelPath('host')));
  const quiet = { announceIntervalMs: 0, probeIntervalMs: 0 };
  const server = await CellNode.create({ nodeId: 2, kernelWasm, transports: [b], config: quiet });
  const wasm = new Uint8Array(await readFile(`${REPO_ROOT}/build/cells/echo.wasm`));
  await server.host(wasm);
  const client = await CellNode.create({ nodeId: 1, kernelWasm, transports: [a], config: { ...quiet, defaultRoute: 1 } });
  const schema = validateSchema(JSON.parse(await readFile(`${REPO_ROOT}/build/cells/echo.schema.json`, 'utf8')).schema);
  const payload = encodeCall(schema, 'echo', ['x'.repeat(60)]);
  const species = speciesIdOf(schema);
  // The answer arrives inside call(): the server runs and replies synchronously through Direct.
  const usPerCall = perCall(() => client.call(species, payload), seconds);
  const alone = await CellInstance.load(wasm, { maxPages: 1, fuelPerCall: 10_000_000 });
  const out = new Uint8Array(4096);
  const baseline = perCall(() => alone.handleInto(payload, out), seconds);
  await client.close();
  await server.close();
  return { usPerCall, baseline: { usPerCall: baseline } };
}
