// Issue #12, finding 8 (client side): 64 callers sharing one peer were refused CALL_TABLE_FULL
// (19,968 of 20,000), or, routed, most of them starved while k_call was retried in a busy loop.
// Calls beyond the kernel's table and peer window now wait in a fair queue with a deadline.
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FairQueue, type Offer } from '../host/runtime/fair-queue.ts';
import { CellNode } from '../host/runtime/cell-node.ts';
import { LoopbackHub } from '../host/transport/loopback-transport.ts';
import { encodeCall, decodeReply, decodeError } from '../host/sdk/call-codec.ts';
import type { CellSchema } from '../host/sdk/schema.ts';
import { ErrorCode } from '../host/wire/error-codes.ts';
import { REPO_ROOT } from '../host/build/paths.ts';
import { cellWasm, kernelWasm } from './fixtures/built.ts';

test('fair queue: FIFO per key, round-robin across keys, nothing lost or sent twice, deadlines honoured', (t) => {
  const op = fc.oneof(
    fc.record({ push: fc.integer({ min: 0, max: 4 }), deadline: fc.integer({ min: 1, max: 100 }) }),
    fc.record({ drain: fc.array(fc.constantFrom<Offer>('sent', 'sent', 'busy', 'full'), { maxLength: 12 }) }),
    fc.record({ expire: fc.integer({ min: 0, max: 100 }) }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
    const q = new FairQueue<{ key: string; n: number; deadline: number }>();
    let n = 0;
    const pushed = new Map<string, number[]>();
    const sent: Array<{ key: string; n: number }> = [];
    const expired: number[] = [];
    for (const o of ops) {
      if ('push' in o) {
        const key = `k${o.push}`;
        q.push(key, { key, n, deadline: o.deadline }, o.deadline);
        pushed.set(key, [...(pushed.get(key) ?? []), n++]);
      } else if ('drain' in o) {
        const answers = [...o.drain];
        const thisDrain: string[] = [];
        const parked = new Set<string>();
        const before = new Map([...pushed].map(([k]) => [k, q.has(k)]));
        q.drain((key, item) => {
          if (parked.has(key)) throw new Error(`a busy lane ${key} was offered again in the same drain`);
          const r = answers.shift() ?? 'sent';
          if (r === 'sent') {
            sent.push(item);
            thisDrain.push(key);
          }
          if (r === 'busy') parked.add(key);
          return r;
        });
        // Round-robin: within a drain no lane is served twice before every other lane that
        // still had work (and was not parked) was served once.
        const lanes = [...before].filter(([, had]) => had).map(([k]) => k);
        const counts = new Map(lanes.map((k) => [k, thisDrain.filter((x) => x === k).length]));
        for (const c of counts.values()) for (const [k2, c2] of counts) {
          if (c > c2 + 1 && q.has(k2) && !parked.has(k2)) return false;
        }
      } else {
        for (const item of q.expire(o.expire)) {
          if (item.deadline > o.expire) return false;
          expired.push(item.n);
        }
        if (q.nextDeadline() <= o.expire) return false;
      }
    }
    // FIFO per key among the sent ones.
    for (const [key, ns] of pushed) {
      const got = sent.filter((s) => s.key === key).map((s) => s.n);
      const order = ns.filter((x) => got.includes(x));
      if (JSON.stringify(got) !== JSON.stringify(order)) return false;
    }
    // Every item is sent, expired or still waiting, exactly once.
    const all = [...sent.map((s) => s.n), ...expired];
    if (new Set(all).size !== all.length) return false;
    return all.length + q.size === n;
  }), { numRuns: 500 });
  t.pass();
});

const { schema: ECHO } = JSON.parse(readFileSync(join(REPO_ROOT, 'build/cells/echo.schema.json'), 'utf8')) as { schema: CellSchema };
const ECHO_SPECIES = (JSON.parse(readFileSync(join(REPO_ROOT, 'build/cells/echo.schema.json'), 'utf8')) as { speciesId: number }).speciesId;

async function pair(clientConfig: Record<string, number>) {
  const hub = new LoopbackHub();
  const server = await CellNode.create({ nodeId: 0x5e000001, kernelWasm: kernelWasm(), transports: [hub.attach(0x5e000001)], config: { announceIntervalMs: 50, probeIntervalMs: 0 } });
  await server.host(cellWasm('echo'));
  const client = await CellNode.create({ nodeId: 0xc1000001, kernelWasm: kernelWasm(), transports: [hub.attach(0xc1000001)], config: { announceIntervalMs: 0, probeIntervalMs: 0, ...clientConfig } });
  return { server, client, close: async () => { await client.close(); await server.close(); } };
}

/** 64 callers, each making `k` calls one after another; returns each caller's done count when the first finished. */
async function sixtyFourCallers(client: CellNode, dst: number, k: number) {
  const done = new Array<number>(64).fill(0);
  let firstFinished: number[] | undefined;
  await Promise.all(done.map(async (_, c) => {
    for (let i = 0; i < k; i++) {
      const a = await client.call(ECHO_SPECIES, encodeCall(ECHO, 'echo', [`c${c}-${i}`]), dst);
      if (a.kind !== 'reply') throw new Error(`caller ${c} call ${i}: ${JSON.stringify(decodeError(a.payload))}`);
      if (decodeReply(ECHO, 'echo', a.payload) !== `c${c}-${i}`) throw new Error('wrong answer');
      done[c]++;
    }
    firstFinished ??= [...done];
  }));
  return { done, firstFinished: firstFinished! };
}

/** Every one of 64 callers gets all K calls answered, in step, with at most one refused k_call per call. */
async function allThrough(t: ExecutionContext, client: CellNode): Promise<void> {
  const K = 20;
  const { done, firstFinished } = await sixtyFourCallers(client, 0, K);
  t.deepEqual(done, new Array(64).fill(K));
  t.true(Math.min(...firstFinished) >= K / 2, `slowest caller had ${Math.min(...firstFinished)} of ${K} when the first finished`);
  const refusals = client.kernel.stat('callTableFull') + client.kernel.stat('peerWindowFull');
  t.true(refusals <= 64 * K, `${refusals} refused k_call offers for ${64 * K} calls`);
  t.log(`queued ${client.queueStats.queued}, refused offers ${client.queueStats.refusedOffers}, kernel refusals ${refusals}`);
}

test('64 callers sharing one --peer node (dst 0, 32-call table) all get every call through, in step', async (t) => {
  const { client, close } = await pair({ defaultRoute: 1 });
  try {
    await allThrough(t, client);
  } finally {
    await close();
  }
});

test('64 callers of a routed species (8-call peer window) all get every call through without a retry storm', async (t) => {
  const { client, close } = await pair({});
  try {
    const start = Date.now();
    while (!client.kernel.peers().some((p) => p.species.includes(ECHO_SPECIES))) {
      if (Date.now() - start > 10_000) throw new Error('the server never announced echo');
      await new Promise((r) => setTimeout(r, 20));
    }
    await allThrough(t, client);
  } finally {
    await close();
  }
});

test('a queued call that gets no place before its deadline is answered ERROR TIMEOUT, never refused', async (t) => {
  const hub = new LoopbackHub();
  const client = await CellNode.create({
    nodeId: 0xc1000002, kernelWasm: kernelWasm(), transports: [hub.attach(0xc1000002)], queueDeadlineMs: 100,
    config: { announceIntervalMs: 0, probeIntervalMs: 0, defaultRoute: 1, callTimeoutMs: 5000, callAttempts: 1 },
  });
  try {
    const answers = await Promise.all(Array.from({ length: 40 }, () => client.call(ECHO_SPECIES, encodeCall(ECHO, 'echo', ['x']))).slice(32));
    for (const a of answers) {
      t.is(a.kind, 'error');
      t.is(decodeError(a.payload).code, ErrorCode.TIMEOUT);
    }
    t.is(client.queueStats.expired, 8);
  } finally {
    await client.close();
  }
});
