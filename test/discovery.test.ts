// LAN discovery as a user sees it: two `cell run` processes announce themselves by multicast; a
// client finds them with no address configured, and when the replica it uses is killed, its
// calls move to the other with only added latency.
import { newIdentity } from '../host/identity/node-identity.ts';
import test from 'ava';
import type { ChildProcess } from 'node:child_process';
import { cellBin, startCell } from '../bench/node-process.ts';
import { fileURLToPath } from 'node:url';
import { CellNode } from '../host/runtime/cell-node.ts';
import { UdpTransport } from '../host/transport/udp-transport.ts';
import { connect } from '../host/sdk/connect.ts';
import { Exchange } from '../build/cells/exchange.client.ts';
import { kernelWasm } from './fixtures/built.ts';
import { freeUdpPort } from './fixtures/free-udp-port.ts';
import { waitUntil } from './fixtures/wait-until.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// A group port of this test's own (free when asked for), so parallel test files and real nodes do not hear each other.
const GROUP = { address: '239.255.67.76', port: await freeUdpPort() };

async function startNode(): Promise<{ proc: ChildProcess; nodeId: number }> {
  const { proc, match } = await startCell(['run', 'build/cells/exchange.wasm', '--port', '0', '--ephemeral', '--multicast', `${GROUP.address}:${GROUP.port}`], /node ([0-9a-f]{8}) listening/);
  return { proc, nodeId: parseInt(match[1]!, 16) };
}

test.serial('two cell run processes are found by multicast; killing the one in use moves calls to the other', async (t) => {
  const [a, b] = await Promise.all([startNode(), startNode()]);
  const udp = await UdpTransport.open({ port: 0, multicast: GROUP });
  // An authenticated client (the nodes accept no other): it hears their signed pheromones once it
  // has a session with each, which its kernel opens when it hears them.
  const identity = await newIdentity();
  const client = await CellNode.create({
    nodeId: identity.nodeId,
    identity,
    kernelWasm: kernelWasm(),
    transports: [udp],
    config: { announceIntervalMs: 0, callTimeoutMs: 500, callAttempts: 3, failHoldMs: 60_000 },
  });
  try {
    // Discovery: both pheromones heard, with no address given to anyone.
    await waitUntil(() => client.kernel.stat('announcesRx') >= 4, '4 announcements heard over multicast');
    const ex = await connect(Exchange, { node: client });
    const species = Exchange.speciesId;
    const first = await client.call(species, new Uint8Array([0x83, 0x00, 0x63, 0x42, 0x54, 0x43, 0x05])); // [0, "BTC", 5]
    t.is(first.kind, 'reply');
    const used = first.src;
    t.true(used === a.nodeId || used === b.nodeId);
    const [dead, alive] = used === a.nodeId ? [a, b] : [b, a];
    dead.proc.kill('SIGKILL');
    // The caller sees answers, not errors: the kernel retries and re-routes.
    for (let i = 0; i < 3; i++) {
      const id = await ex.place_order('ETH', 1 + i);
      t.is(typeof id, 'bigint');
    }
    const after = await client.call(species, new Uint8Array([0x83, 0x00, 0x63, 0x42, 0x54, 0x43, 0x05]));
    t.is(after.src, alive.nodeId);
    t.true(client.kernel.stat('failovers') >= 1);
  } finally {
    await client.close();
    a.proc.kill('SIGKILL');
    b.proc.kill('SIGKILL');
  }
});

test.serial('cell call finds a replica by multicast alone, and cell peers lists it', async (t) => {
  const node = await startNode();
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const run = promisify(execFile);
  const group = `${GROUP.address}:${GROUP.port}`;
  try {
    const { stdout } = await run(process.execPath, [cellBin(), 'call', 'exchange', 'place_order', '{"symbol":"BTC","amount":5}', '--multicast', group, '--timeout', '10000'], { cwd: ROOT });
    t.regex(stdout.trim(), /^\d+$/);
    const peers = JSON.parse((await run(process.execPath, [cellBin(), 'peers', '--once', '2500', '--json', '--multicast', group], { cwd: ROOT })).stdout);
    const row = peers.find((p: { nodeId: number }) => p.nodeId === node.nodeId);
    t.truthy(row, 'the running node is in the table');
    t.deepEqual(row.species, ['exchange']);
    t.true(row.healthy);
  } finally {
    node.proc.kill('SIGKILL');
  }
});
