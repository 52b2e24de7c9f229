// CellNodeOptions.pongDelayMs: a gateway holds its PONGs for its boards' serial hop, so the RTT
// its LAN peers measure (and their Vivaldi coordinates) reach the board (docs/boards.md, Gateway).
import test from 'ava';
import { CellNode } from '../host/runtime/cell-node.ts';
import { LoopbackHub } from '../host/transport/loopback-transport.ts';
import { kernelWasm } from './fixtures/built.ts';
import { waitUntil } from './fixtures/wait-until.ts';

test('a node that holds its PONGs 150 ms is measured at 150 ms or more by its peers', async (t) => {
  const hub = new LoopbackHub();
  const config = { probeIntervalMs: 40, announceIntervalMs: 40 };
  const a = await CellNode.create({ nodeId: 0xa, kernelWasm: kernelWasm(), transports: [hub.attach(0xa)], open: true, config });
  const b = await CellNode.create({ nodeId: 0xb, kernelWasm: kernelWasm(), transports: [hub.attach(0xb)], open: true, config, pongDelayMs: () => 150 });
  try {
    a.addPeer(0xb);
    const rtt = () => a.kernel.peers().find((p) => p.nodeId === 0xb)?.measuredRttMs ?? null;
    await waitUntil(() => rtt() !== null, 'a to measure b', 10_000);
    t.true(rtt()! >= 150, `measured ${rtt()} ms`);
  } finally {
    await a.close();
    await b.close();
  }
});
