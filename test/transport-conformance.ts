// The conformance suite every transport passes (issue #4): the same frames in, the same frames
// out, in order, both ways; corrupt, truncated and oversized input counted and dropped, never a
// crash and never delivered; good frames after garbage still arrive; a spore fetch between two
// nodes over the transport gives the exact module (docs/spores.md, Transfer).
import test from 'ava';
import fc from 'fast-check';
import type { Transport } from '../host/transport/transport.ts';
import { encodeFrame, MsgType } from '../host/wire/header.ts';
import { CellNode } from '../host/runtime/cell-node.ts';
import { SporeBytes } from '../host/runtime/spore-bytes.ts';
import { chunkRoot } from '../host/spore/chunk-tree.ts';
import { kernelWasm } from './fixtures/built.ts';

export interface TransportPair {
  a: Transport;
  b: Transport;
  /** Node ids the pair is addressed by (frames from a to b carry dst = bId). */
  aId: number;
  bId: number;
  /** Largest frame (header + payload) the transport promises to carry. */
  maxFrame: number;
  /** Pushes raw bytes into b's receive path as the wire would deliver them (a datagram, serial bytes, a ring slot). */
  injectRaw(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Collects what a transport delivers, and waits for a count. */
export class Inbox {
  readonly frames: Uint8Array[] = [];
  private waiters: Array<() => void> = [];
  constructor(t: Transport) {
    t.onFrame((f) => {
      this.frames.push(f.slice());
      for (const w of this.waiters.splice(0)) w();
    });
  }
  /** The first n frames, once they have arrived; rejects naming the shortfall after timeoutMs. */
  waitFor(n: number, timeoutMs = 20_000): Promise<Uint8Array[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.frames.length} of ${n} frames arrived in ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        if (this.frames.length < n) return void this.waiters.push(check);
        clearTimeout(timer);
        resolve(this.frames.slice(0, n));
      };
      check();
    });
  }
}

export function frameTo(dst: number, src: number, seq: number, payload: Uint8Array): Uint8Array {
  return encodeFrame({ type: MsgType.CALL, flags: 0, src, dst, species: 0x11223344, seq }, payload);
}

export function transportConformance(name: string, makePair: () => Promise<TransportPair>): void {
  test.serial(`${name}: frames arrive whole, in order, both ways`, async (t) => {
    const p = await makePair();
    try {
      const atB = new Inbox(p.b);
      const atA = new Inbox(p.a);
      const sizes = [0, 1, 63, 64, 200, 1000, p.maxFrame - 20];
      const sent = sizes.map((n, i) => frameTo(p.bId, p.aId, i, Uint8Array.from({ length: n }, (_, k) => (k * 7 + i) & 0xff)));
      for (const f of sent) p.a.send(f);
      t.deepEqual(await atB.waitFor(sent.length), sent);
      const back = frameTo(p.aId, p.bId, 99, new Uint8Array([1, 2, 3]));
      p.b.send(back);
      t.deepEqual(await atA.waitFor(1), [back]);
      t.is(p.b.stats.framesIn, sent.length);
      t.is(p.b.stats.dropped, 0);
    } finally {
      await p.close();
    }
  });

  test.serial(`${name}: random frames round-trip (property)`, async (t) => {
    const p = await makePair();
    try {
      const inbox = new Inbox(p.b);
      let expected = 0;
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: Math.min(512, p.maxFrame - 20) }), fc.nat({ max: 0xffff }), async (payload, seq) => {
          const f = frameTo(p.bId, p.aId, seq, payload);
          p.a.send(f);
          expected++;
          const got = await inbox.waitFor(expected);
          t.deepEqual(got[expected - 1], f);
        }),
        { numRuns: 100 },
      );
    } finally {
      await p.close();
    }
  });

  test.serial(`${name}: corrupt, truncated and oversized input is counted and dropped; good frames still arrive`, async (t) => {
    const p = await makePair();
    try {
      const inbox = new Inbox(p.b);
      const good = frameTo(p.bId, p.aId, 1, new Uint8Array([9, 9, 9]));
      const bad: Uint8Array[] = [
        new Uint8Array([1, 2, 3]), // short
        good.slice(0, good.length - 1), // truncated
        Uint8Array.of(...good, 0), // trailing byte
        Uint8Array.of(0xcf, ...good.subarray(1)), // bad magic
        new Uint8Array(p.maxFrame + 100).fill(0x41), // oversized garbage
      ];
      for (const b of bad) await p.injectRaw(b);
      await p.injectRaw(good);
      // A second good frame marks the end: every transport delivers in order, so once it is in,
      // all the bad input before it has been judged, and nothing bad may have been delivered.
      const end = frameTo(p.bId, p.aId, 2, new Uint8Array([8]));
      await p.injectRaw(end);
      t.deepEqual(await inbox.waitFor(2), [good, end]);
      t.is(inbox.frames.length, 2);
      t.true(p.b.stats.dropped >= bad.length - 1, `dropped ${p.b.stats.dropped}`);
    } finally {
      await p.close();
    }
  });

  test.serial(`${name}: random garbage never crashes the receiver (property)`, async (t) => {
    const p = await makePair();
    try {
      const inbox = new Inbox(p.b);
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (junk) => {
          await p.injectRaw(junk);
        }),
        { numRuns: 100 },
      );
      const good = frameTo(p.bId, p.aId, 2, new Uint8Array([7]));
      await p.injectRaw(good);
      const got = await inbox.waitFor(1);
      t.deepEqual(got[got.length - 1], good);
    } finally {
      await p.close();
    }
  });

  test.serial(`${name}: a spore fetch between two nodes over it gives the exact module (the same frames as on any transport)`, async (t) => {
    const p = await makePair();
    // Open nodes (no identity): the pair's ids are fixed by the transport, and the kernel's
    // fetch is the same frames with or without a session. 9 chunks, the last a partial one.
    const module = Uint8Array.from({ length: 8 * 1024 + 333 }, (_, i) => (i * 31 + 7) & 0xff);
    const holderBytes = new SporeBytes();
    const fetcherBytes = new SporeBytes();
    // a fetches from b: a transport may know its peer's address only after hearing from it (UDP: a has b as a seed).
    const fetcher = await CellNode.create({ nodeId: p.aId, kernelWasm: kernelWasm(), transports: [p.a], spores: fetcherBytes, config: { probeIntervalMs: 0, announceIntervalMs: 0 } });
    const holder = await CellNode.create({ nodeId: p.bId, kernelWasm: kernelWasm(), transports: [p.b], spores: holderBytes, config: { probeIntervalMs: 0, announceIntervalMs: 0 } });
    try {
      const hash = holderBytes.serve(module);
      const got = await fetcher.fetchSpore({ species: 0x5eed0002, hash, root: chunkRoot(module), size: module.length, hints: [p.bId] });
      t.deepEqual(got, module);
      t.is(holderBytes.servedCount(hash), 9);
      t.deepEqual(fetcherBytes.module(hash), module, 'the fetcher is a mirror now');
    } finally {
      await Promise.all([holder.close(), fetcher.close()]);
      await p.close().catch(() => undefined);
    }
  });

}
