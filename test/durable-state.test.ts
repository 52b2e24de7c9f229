// Issue #12, finding 9: `kill -9` of the exchange node lost every acknowledged order and reissued
// their ids. A real `cell run` process with --state-dir is killed with SIGKILL after N acknowledged
// orders and started again on the same directory.
import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { ChildProcess } from 'node:child_process';
import { startCell } from '../bench/node-process.ts';
import { CellNode } from '../host/runtime/cell-node.ts';
import { UdpTransport } from '../host/transport/udp-transport.ts';
import { encodeCall, decodeReply, decodeError } from '../host/sdk/call-codec.ts';
import type { CellSchema } from '../host/sdk/schema.ts';
import { kernelWasm } from './fixtures/built.ts';
import { newIdentity } from '../host/identity/node-identity.ts';
import { REPO_ROOT } from '../host/build/paths.ts';

const N = 48;
const SYMBOLS = ['BTC', 'ETH', 'SOL', 'ADA'];
type Order = { id: bigint; symbol: string; amount: bigint };

async function exchangeClient(port: number) {
  const { speciesId, schema } = JSON.parse(await readFile(join(REPO_ROOT, 'build/cells/exchange.schema.json'), 'utf8')) as { speciesId: number; schema: CellSchema };
  const udp = await UdpTransport.open({ host: '127.0.0.1', port: 0, seeds: [{ address: '127.0.0.1', port }], multicast: false });
  // An authenticated client, as `cell call --peer` is: a session first, then calls to that node only.
  const identity = await newIdentity();
  const node = await CellNode.create({
    nodeId: identity.nodeId, identity, kernelWasm: kernelWasm(), transports: [udp],
    config: { defaultRoute: 1, announceIntervalMs: 0, probeIntervalMs: 0 },
  });
  const dst = await node.handshake(0);
  const call = async (method: string, ...args: unknown[]): Promise<unknown> => {
    const a = await node.call(speciesId, encodeCall(schema, method, args), dst);
    if (a.kind === 'error') throw new Error(`${method}: ${JSON.stringify(decodeError(a.payload))}`);
    return decodeReply(schema, method, a.payload);
  };
  return { call, close: () => node.close() };
}

async function startExchange(stateDir: string): Promise<{ proc: ChildProcess; port: number }> {
  const { proc, match } = await startCell(['run', 'build/cells/exchange.wasm', '--port', '0', '--ephemeral', '--no-multicast', '--state-dir', stateDir], /listening on udp [^\s]+:(\d+)/);
  return { proc, port: Number(match[1]) };
}

test('acknowledged orders survive kill -9 and restart; ids are never reissued', async (t) => {
  kernelWasm();
  const stateDir = await mkdtemp(join(tmpdir(), 'cell-state-'));
  t.teardown(() => rm(stateDir, { recursive: true, force: true }));

  const first = await startExchange(stateDir);
  const placed: Order[] = [];
  try {
    const ex = await exchangeClient(first.port);
    try {
      for (let i = 0; i < N; i++) {
        const symbol = SYMBOLS[i % SYMBOLS.length]!;
        const amount = BigInt(i + 1);
        placed.push({ id: (await ex.call('place_order', symbol, amount)) as bigint, symbol, amount });
      }
      // A cancelled order stays cancelled too.
      t.true((await ex.call('cancel', placed[0]!.id)) as boolean);
    } finally {
      await ex.close();
    }
  } finally {
    const exited = new Promise((r) => first.proc.once('exit', r));
    first.proc.kill('SIGKILL');
    await exited;
  }

  const second = await startExchange(stateDir);
  try {
    const ex = await exchangeClient(second.port);
    try {
      const open = placed.slice(1);
      let found: Order[] = [];
      for (const s of SYMBOLS) found = found.concat((await ex.call('book', s)) as Order[]);
      found.sort((a, b) => (a.id < b.id ? -1 : 1));
      t.deepEqual(found, open, `all ${open.length} open acknowledged orders are back`);
      const fresh = (await ex.call('place_order', 'BTC', 1n)) as bigint;
      const maxOld = placed.reduce((m, o) => (o.id > m ? o.id : m), 0n);
      t.true(fresh > maxOld, `new id ${fresh} after ${maxOld}`);
    } finally {
      await ex.close();
    }
  } finally {
    second.proc.kill('SIGKILL');
  }
});
