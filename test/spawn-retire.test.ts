// hal.retire on a real host: two nodes host exchange with [cell.biology] min_replicas 1 and no
// load, so their kernels retire one replica (never the last); the retired one's calls go to the
// survivor, and a call addressed to the retired node is answered UNKNOWN_SPECIES. The nodes run on
// a test clock so mitosis' 30 s sustain window passes in seconds; nothing asserts on time.
import test from 'ava';
import { CellNode } from '../host/runtime/cell-node.ts';
import { LoopbackHub } from '../host/transport/loopback-transport.ts';
import { connect } from '../host/sdk/connect.ts';
import { Exchange } from '../build/cells/exchange.client.ts';
import { kernelWasm, cellWasm } from './fixtures/built.ts';
import { waitUntil } from './fixtures/wait-until.ts';
import { encodeCall, decodeError } from '../host/sdk/call-codec.ts';
import { ErrorCode } from '../host/wire/error-codes.ts';

const FAST = { announceIntervalMs: 200, probeIntervalMs: 0, callTimeoutMs: 20000 };
const BIOLOGY = { min_replicas: 1, max_replicas: 4, cpu_target: 0.6 };
// The test clock runs 20x real time (100 ms every 5 ms), so the nodes' timers are scaled to match
// (as `cell run --time-scale` does): a kernel ticked on real-time timers saw its clock jump 4 s a
// tick, its division rounds were paced by real time, and a loaded CI machine waited out 60 s.
const TIME_SCALE = 20;
const RETIRE_WITHIN_MS = 1_200_000;

test.serial('an idle pair retires to one replica, never below min_replicas; calls fail over', async (t) => {
  let clock = 0;
  const hub = new LoopbackHub();
  const make = (id: number) => CellNode.create({ nodeId: id, kernelWasm: kernelWasm(), transports: [hub.attach(id)], config: FAST, clock: () => clock, timeScale: TIME_SCALE });
  const a = await make(0xa1a1a1a1);
  const b = await make(0xb2b2b2b2);
  const client = await make(0xc3c3c3c3);
  const retired: number[] = [];
  const ticker = setInterval(() => { clock += 100; }, 5);
  try {
    for (const n of [a, b]) {
      const cell = await n.host(cellWasm('exchange'));
      n.setBiology(cell.slot, BIOLOGY);
    }
    // Bounded in node time (retiring took 130-330 s of it in local runs); the real-time bound is
    // only for a clock that stopped.
    await waitUntil(() => a.retiredCells + b.retiredCells >= 1 || clock >= RETIRE_WITHIN_MS, 'one of two idle replicas to retire', 120_000);
    t.true(a.retiredCells + b.retiredCells >= 1, `no replica retired within ${RETIRE_WITHIN_MS / 1000} s of node time`);
    t.log(`one retired after ${(clock / 1000).toFixed(0)} s of node time`);
    for (const n of [a, b]) if (n.retiredCells > 0) retired.push(n.nodeId);
    t.is(retired.length, 1, 'exactly one replica retired');
    const gone = retired[0] === a.nodeId ? a : b;
    const kept = gone === a ? b : a;
    t.is(gone.cells.size, 0);
    t.is(kept.cells.size, 1);
    t.is(gone.stats().retiredCells, 1);
    // Let many more division rounds pass: the survivor is the last replica and must stay.
    const until = clock + 120_000;
    await waitUntil(() => clock >= until, 'two more minutes of node time', 60_000);
    t.is(kept.cells.size, 1, 'the last replica never retires (min_replicas 1)');
    t.is(kept.retiredCells, 0);
    // A caller that asks the retired node by id gets UNKNOWN_SPECIES, so it fails over.
    const species = Exchange.speciesId;
    const direct = await client.call(species, encodeCall(Exchange.schema, 'book', ['BTC']), gone.nodeId);
    t.is(direct.kind, 'error');
    t.is(decodeError(direct.payload).code, ErrorCode.UNKNOWN_SPECIES);
    // Any-host calls reach the survivor.
    await waitUntil(() => client.kernel.stat('announcesRx') >= 2, 'the client to hear the survivor', 30_000);
    const ex = await connect(Exchange, { node: client });
    const id = await ex.place_order('BTC', 3);
    t.deepEqual(await ex.book('BTC'), [{ id, symbol: 'BTC', amount: 3n }]);
  } finally {
    clearInterval(ticker);
    await Promise.all([a.close(), b.close(), client.close()]);
  }
});
