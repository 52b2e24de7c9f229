// Sessions, the AUTH trailer and the replay window (docs/wire.md, Sessions; docs/security.md),
// on two kernels wired by hand (test/harness/auth-pair.ts): handshakes, replays, re-sequenced
// and corrupted frames, restarts, and the test vectors of test/vectors/auth.json, checked
// against @noble/ed25519 and @noble/hashes.
import test from 'ava';
import fc from 'fast-check';
import * as ed from '@noble/ed25519';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { AuthPair, SPECIES, seededRandom } from './harness/auth-pair.ts';
import { KernelResult, MsgType, Flag, AUTH_TRAILER_BYTES, AUTH_BROADCAST_TRAILER_BYTES, HANDSHAKE_BYTES } from '../host/wire/protocol-table.ts';
import { HEADER_BYTES } from '../host/wire/header.ts';
import { NodeCrypto } from '../host/identity/node-crypto.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);

async function connected(config = {}): Promise<AuthPair> {
  const p = await AuthPair.create(1, 2, config);
  p.client.hello(p.serverId.nodeId);
  p.flush();
  return p;
}

test('a handshake gives both sides a session; a call runs once and its answer comes back', async (t) => {
  const p = await connected();
  t.is(p.client.sessions, 1);
  t.is(p.server.sessions, 1);
  t.is(p.client.stat('handshakesDone'), 1);
  const seq = p.client.call(p.serverId.nodeId, SPECIES, Uint8Array.of(0x81, 0x01));
  t.true(seq > 0);
  p.flush();
  t.deepEqual(p.executed, ['8101']);
  t.deepEqual(p.delivered, [[MsgType.REPLY, seq, p.serverId.nodeId, '8101']]);
});

test('finding 4: a captured CALL re-sent later, or with new seq numbers, does not run again', async (t) => {
  const p = await connected();
  p.client.call(p.serverId.nodeId, SPECIES, Uint8Array.of(0x81, 0x02));
  const captured = p.net[0]!.bytes.slice();
  t.is(captured[3]! & Flag.AUTH, Flag.AUTH);
  p.flush();
  t.is(p.executed.length, 1);
  p.tick(16_000);
  t.is(p.server.onFrame(captured), -KernelResult.REPLAYED);
  for (let seq = 2; seq <= 21; seq++) {
    const again = captured.slice();
    const dv = new DataView(again.buffer);
    dv.setUint16(16, seq, true);
    // The same counter is a replay; a fresh counter fails the tag, which covers seq and counter.
    t.is(p.server.onFrame(again), -KernelResult.REPLAYED);
    dv.setBigUint64(again.length - AUTH_TRAILER_BYTES, BigInt(1000 + seq), true);
    t.is(p.server.onFrame(again), -KernelResult.BAD_AUTH);
  }
  t.is(p.executed.length, 1);
  t.is(p.server.stat('authReplays'), 21);
  t.is(p.server.stat('authBadTag'), 20);
});

test('a retransmission whose answer the server gave up (past replayWindowMs, or pushed out by the caller\'s later calls) is refused STALE, never run again', async (t) => {
  const p = await connected({ callTimeoutMs: 200, callAttempts: 5 });
  // Past the window: the answer is lost, time jumps (a paused process), the client re-sends.
  const seq = p.client.call(p.serverId.nodeId, SPECIES, Uint8Array.of(0x81, 0x05));
  p.deliver(0);
  t.deepEqual(p.executed, ['8105']);
  p.net.length = 0; // the REPLY is lost
  p.tick(20_000);
  p.flush();
  t.deepEqual(p.executed, ['8105']);
  t.is(p.server.stat('staleCalls'), 1);
  const answer = p.delivered.find((d) => d[1] === seq)!;
  t.is(answer[0], MsgType.ERROR);
  t.is(answer[3].slice(0, 4), '820e'); // [14 (STALE), "..."]
  // Pushed out: six calls in flight to one node, four slots for this caller; all six run once, and
  // retransmissions of the two oldest (their entries overwritten) are refused, not run again.
  const before = p.executed.length;
  const seqs: number[] = [];
  for (let i = 0; i < 6; i++) seqs.push(p.client.call(p.serverId.nodeId, SPECIES, Uint8Array.of(0x81, 0x10 + i)));
  for (let i = 0; i < 6; i++) p.deliver(0);
  t.is(p.executed.length, before + 6);
  p.net.length = 0; // every REPLY is lost
  p.tick(300); // each call's timer fires: all six are re-sent
  p.flush();
  t.is(p.executed.length, before + 6);
  t.is(p.server.stat('duplicateCalls'), 4);
  t.is(p.server.stat('staleCalls'), 3);
  for (const s of seqs.slice(0, 2)) t.is(p.delivered.find((d) => d[1] === s)?.[0], MsgType.ERROR);
  for (const s of seqs.slice(2)) t.is(p.delivered.find((d) => d[1] === s)?.[0], MsgType.REPLY);
});

test('a bare frame to a node that is not open is refused with NOT_AUTHENTICATED, and a bare CALL is told so in 40 bytes at most', async (t) => {
  const p = await connected();
  const call = Uint8Array.from([0xce, 0x01, MsgType.CALL, 0, ...le32(0x1234), ...le32(p.serverId.nodeId), ...le32(SPECIES), 7, 0, 1, 0, 0x80]);
  p.net.length = 0;
  t.is(p.server.onFrame(call), -KernelResult.NOT_AUTHENTICATED);
  t.is(p.executed.length, 0);
  t.is(p.net.length, 1);
  t.true(p.net[0]!.bytes.length <= 3 * call.length, `answer ${p.net[0]!.bytes.length} bytes to a ${call.length}-byte call`);
  t.is(p.server.stat('authRequired'), 1);
});

test('the answer to an unauthenticated HELLO is no larger than the HELLO (no amplification)', async (t) => {
  const p = await AuthPair.create(3, 4);
  p.client.hello(0);
  const hello = p.net[0]!.bytes;
  t.is(hello.length, HEADER_BYTES + HANDSHAKE_BYTES);
  p.deliver(0);
  const welcome = p.net[0]!.bytes;
  t.is(welcome[2], MsgType.WELCOME);
  t.true(welcome.length <= hello.length);
  p.flush();
  t.is(p.client.sessions, 1);
});

test('finding 1: an authenticated peer announcing a negative, NaN or above-1 load is dropped and counted', async (t) => {
  const p = await connected({ announceIntervalMs: 1000 });
  p.tick(1000);
  const announce = p.net.find((f) => f.to === 'client' && f.bytes[2] === MsgType.ANNOUNCE)!.bytes.slice();
  p.flush();
  t.is(p.client.stat('announcesRx'), 1);
  t.is(p.client.peers().find((r) => r.nodeId === p.serverId.nodeId)?.species[0], SPECIES);
  let counter = 1_000_000n;
  for (const load of [-1, Number.NaN, 2, Number.NEGATIVE_INFINITY]) {
    const forged = await resignAnnounce(announce, load, counter++, p.serverId.secretKey);
    t.is(p.client.onFrame(forged), -KernelResult.BAD_PAYLOAD, `load ${load}`);
  }
  t.is(p.client.stat('badLoad'), 4);
  const row = p.client.peers().find((r) => r.nodeId === p.serverId.nodeId)!;
  t.true(row.load >= 0 && row.load <= 1);
  // The same frame re-signed with a valid load is taken: the check is the range, not the signature.
  t.is(p.client.onFrame(await resignAnnounce(announce, 0.5, counter++, p.serverId.secretKey)), 0);
  t.is(p.client.peers().find((r) => r.nodeId === p.serverId.nodeId)!.load, 0.5);
  // A signature by another key under the server's id is not.
  t.is(p.client.onFrame(await resignAnnounce(announce, 0, counter++, p.clientId.secretKey)), -KernelResult.BAD_AUTH);
});

test('a restarted server re-keys with its callers: their next calls run', async (t) => {
  const p = await connected({ rekeyMinMs: 0, callTimeoutMs: 100 });
  p.restart('server');
  p.client.call(p.serverId.nodeId, SPECIES, Uint8Array.of(0x81, 0x03));
  // The first attempt meets no session; the server offers one; the retry runs.
  for (let i = 0; i < 10 && p.executed.length === 0; i++) {
    p.flush();
    p.tick(150);
  }
  p.flush();
  t.deepEqual(p.executed, ['8103']);
  t.is(p.delivered.at(-1)?.[0], MsgType.REPLY);
});

test('session state machine: whatever is delivered, dropped, duplicated, corrupted or restarted, a call runs at most once per server life and only as sent (property)', async (t) => {
  const action = fc.oneof(
    fc.record({ k: fc.constant('call') }),
    fc.record({ k: fc.constant('deliver'), i: fc.nat() }),
    fc.record({ k: fc.constant('dup'), i: fc.nat() }),
    fc.record({ k: fc.constant('drop'), i: fc.nat() }),
    fc.record({ k: fc.constant('corrupt'), i: fc.nat(), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ k: fc.constant('restart'), side: fc.constantFrom('client' as const, 'server' as const) }),
    fc.record({ k: fc.constant('hello'), side: fc.constantFrom('client' as const, 'server' as const) }),
    fc.record({ k: fc.constant('tick'), ms: fc.integer({ min: 1, max: 5000 }) }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(action, { maxLength: 60 }), fc.integer({ min: 1, max: 1000 }), async (actions, seed) => {
      const p = await AuthPair.create(seed, seed + 1, { callTimeoutMs: 200 });
      const sent = new Set<string>();
      let nonce = 0;
      const call = () => {
        const payload = Uint8Array.of(0x82, 0x1a, ...be32(++nonce), 0x00);
        sent.add(hex(payload));
        p.client.call(p.serverId.nodeId, SPECIES, payload);
      };
      for (const a of actions) {
        const n = p.net.length;
        if (a.k === 'call') call();
        else if (a.k === 'deliver' && n > 0) p.deliver(a.i % n);
        else if (a.k === 'dup' && n > 0) p.net.push({ ...p.net[a.i % n]!, bytes: p.net[a.i % n]!.bytes.slice() });
        else if (a.k === 'drop' && n > 0) p.net.splice(a.i % n, 1);
        else if (a.k === 'corrupt' && n > 0) {
          const f = p.net[a.i % n]!.bytes;
          f[a.at % f.length]! ^= 1 << a.bit;
        } else if (a.k === 'restart') p.restart(a.side);
        else if (a.k === 'hello') p.kernel(a.side).hello(a.side === 'client' ? p.serverId.nodeId : p.clientId.nodeId);
        else if (a.k === 'tick') p.tick(a.ms);
        if (new Set(p.executed).size !== p.executed.length) return false;
        if (!p.executed.every((x) => sent.has(x))) return false;
      }
      // Calm: everything old is gone; a new session and a new call work.
      p.net.length = 0;
      p.tick(60_000);
      p.client.hello(p.serverId.nodeId);
      p.flush();
      call();
      p.flush();
      return p.executed.at(-1) === [...sent].at(-1) && new Set(p.executed).size === p.executed.length;
    }),
    { numRuns: 100 },
  );
  t.pass();
});

test('trailer decoder: a truncated, extended or corrupted sealed frame never runs and never blocks the real one (property)', async (t) => {
  const base = await connected();
  const mutation = fc.oneof(
    fc.record({ k: fc.constant('truncate'), n: fc.integer({ min: 1, max: 60 }) }),
    fc.record({ k: fc.constant('extend'), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
    fc.record({ k: fc.constant('flip'), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ k: fc.constant('length'), len: fc.integer({ min: 0, max: 0xffff }) }),
  );
  await fc.assert(
    fc.asyncProperty(mutation, async (m) => {
      const p = await connected();
      p.client.call(p.serverId.nodeId, SPECIES, Uint8Array.of(0x81, 0x04));
      const sealed = p.net.shift()!.bytes;
      let bad: Uint8Array;
      if (m.k === 'truncate') bad = sealed.slice(0, Math.max(0, sealed.length - m.n));
      else if (m.k === 'extend') bad = Uint8Array.from([...sealed, ...m.bytes]);
      else if (m.k === 'flip') {
        bad = sealed.slice();
        bad[m.at % bad.length]! ^= 1 << m.bit;
      } else {
        bad = sealed.slice();
        new DataView(bad.buffer).setUint16(18, m.len, true);
      }
      if (hex(bad) === hex(sealed)) return true;
      p.server.onFrame(bad);
      const ranBad = p.executed.length;
      p.server.onFrame(sealed);
      return ranBad === 0 && p.executed.length === 1;
    }),
    { numRuns: 200 },
  );
  t.truthy(base);
});

// --- Test vectors (docs/wire.md): HELLO, WELCOME and a sealed CALL from fixed keys and randomness.

const VECTORS = new URL('./vectors/auth.json', import.meta.url);

interface AuthVectors {
  clientSecret: string;
  serverSecret: string;
  clientEphemeralSecret: string;
  serverEphemeralSecret: string;
  hello: string;
  welcome: string;
  sessionKey: string;
  call: string;
}

/** The ephemeral secret a kernel draws: 8 words of hal.random after the 3 k_init draws, little-endian. */
function ephemeralSecret(random: () => number): Uint8Array {
  for (let i = 0; i < 3; i++) random();
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) new DataView(out.buffer).setUint32(i * 4, random() >>> 0, true);
  return out;
}

async function makeVectors(): Promise<AuthVectors> {
  const p = await AuthPair.create(5, 6);
  p.client.hello(p.serverId.nodeId);
  const hello = p.net[0]!.bytes.slice();
  p.deliver(0);
  const welcome = p.net[0]!.bytes.slice();
  p.deliver(0);
  p.client.call(p.serverId.nodeId, SPECIES, Uint8Array.of(0x82, 0x00, 0x63, 0x61, 0x62, 0x63));
  const call = p.net[0]!.bytes.slice();
  const eA = ephemeralSecret(seededRandom(5 * 1000 + 6 + 17 + 1));
  const eB = ephemeralSecret(seededRandom(5 * 1000 + 6 + 29 + 1));
  const crypto = new NodeCrypto(null);
  const shared = new Uint8Array(32);
  crypto.x25519(eB, hello.subarray(HEADER_BYTES + 32, HEADER_BYTES + 64), shared);
  const info = Uint8Array.from([...Buffer.from('cell/1 session'), ...le32(p.clientId.nodeId), ...le32(p.serverId.nodeId)]);
  const salt = Uint8Array.from([...hello.subarray(HEADER_BYTES + 32, HEADER_BYTES + 64), ...welcome.subarray(HEADER_BYTES + 32, HEADER_BYTES + 64)]);
  const key = hkdf(sha256, shared, salt, info, 32);
  return {
    clientSecret: hex(p.clientId.secretKey), serverSecret: hex(p.serverId.secretKey),
    clientEphemeralSecret: hex(eA), serverEphemeralSecret: hex(eB),
    hello: hex(hello), welcome: hex(welcome), sessionKey: hex(key), call: hex(call),
  };
}

test('test vectors: the kernel writes test/vectors/auth.json byte for byte, and @noble checks every signature, the key and the tag', async (t) => {
  const v = await makeVectors();
  if (process.env.WRITE_VECTORS) writeFileSync(VECTORS, JSON.stringify(v, null, 2) + '\n');
  const stored = JSON.parse(readFileSync(VECTORS, 'utf8')) as AuthVectors;
  t.deepEqual(v, stored);
  const b = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
  const hello = b(v.hello), welcome = b(v.welcome), call = b(v.call);
  const crypto = new NodeCrypto(null);
  // Ephemeral public keys are X25519(secret, 9).
  const base = new Uint8Array(32); base[0] = 9;
  const eA = new Uint8Array(32), eB = new Uint8Array(32);
  crypto.x25519(b(v.clientEphemeralSecret), base, eA);
  crypto.x25519(b(v.serverEphemeralSecret), base, eB);
  t.is(hex(eA), hex(hello.subarray(52, 84)));
  t.is(hex(eB), hex(welcome.subarray(52, 84)));
  // Both sides derive the same shared secret.
  const s1 = new Uint8Array(32), s2 = new Uint8Array(32);
  crypto.x25519(b(v.clientEphemeralSecret), eB, s1);
  crypto.x25519(b(v.serverEphemeralSecret), eA, s2);
  t.is(hex(s1), hex(s2));
  const pubA = await ed.getPublicKeyAsync(b(v.clientSecret));
  const pubB = await ed.getPublicKeyAsync(b(v.serverSecret));
  t.is(hex(hello.subarray(20, 52)), hex(pubA));
  t.is(hex(welcome.subarray(20, 52)), hex(pubB));
  t.true(await ed.verifyAsync(hello.subarray(84, 148), hello.subarray(0, 84), pubA));
  t.true(await ed.verifyAsync(welcome.subarray(84, 148), Uint8Array.from([...welcome.subarray(0, 84), ...hello.subarray(0, 84)]), pubB));
  // Node ids are SHA-256(key)[0..4].
  t.is(u32(hello, 4), u32(sha256(pubA), 0));
  t.is(u32(welcome, 4), u32(sha256(pubB), 0));
  // The sealed CALL: counter 1, tag = HMAC-SHA256(key, everything before the tag)[0..16].
  t.is(call[3]! & Flag.AUTH, Flag.AUTH);
  t.is(new DataView(call.buffer).getUint16(18, true), call.length - HEADER_BYTES);
  t.is(new DataView(call.buffer).getBigUint64(call.length - AUTH_TRAILER_BYTES, true), 1n);
  t.is(hex(call.subarray(call.length - 16)), hex(hmac(sha256, b(v.sessionKey), call.subarray(0, call.length - 16)).subarray(0, 16)));
});

function le32(x: number): number[] {
  return [x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff];
}

function be32(x: number): number[] {
  return le32(x).reverse();
}

/** A signed ANNOUNCE with its load replaced (payload [[species], load, ...]; the load is the f64 after one u32 species), signed again by `secret`. */
async function resignAnnounce(frame: Uint8Array, load: number, counter: bigint, secret: Uint8Array): Promise<Uint8Array> {
  const f = frame.slice();
  const dv = new DataView(f.buffer);
  const at = HEADER_BYTES + 7;
  if (f[at] !== 0xfb) throw new Error('the ANNOUNCE layout changed: expected an f64 load at payload offset 7');
  dv.setFloat64(at + 1, load, false);
  const body = f.length - AUTH_BROADCAST_TRAILER_BYTES;
  dv.setBigUint64(body, counter, true);
  f.set(await ed.signAsync(f.subarray(0, body + 8), secret), body + 8);
  return f;
}

test('HELLOs from nodes without a session are answered at newSessionRate at most; the excess is dropped and counted, established peers are not held up', async (t) => {
  const server = await AuthPair.create(1, 2, { newSessionRate: 5, rekeyMinMs: 0 });
  server.client.hello(server.serverId.nodeId);
  server.flush(); // the pair's own client: a session, and one token of 5 spent
  t.is(server.client.sessions, 1);
  // Strangers with keys of their own, all saying HELLO to the same server key (seed 2) at once.
  const hellos: Uint8Array[] = [];
  for (let i = 0; i < 9; i++) {
    const stranger = await AuthPair.create(40 + i, 2);
    stranger.client.hello(server.serverId.nodeId);
    hellos.push(stranger.net[0]!.bytes);
  }
  const welcomes = () => server.net.filter((f) => f.bytes[2] === MsgType.WELCOME).length;
  for (const h of hellos.slice(0, 6)) t.is(server.server.onFrame(h), 0);
  t.is(welcomes(), 4, 'the 4 tokens left answer 4');
  t.is(server.server.stat('handshakesRateLimited'), 2);
  server.now += 500; // half a second refills 2.5 tokens
  for (const h of hellos.slice(6)) server.server.onFrame(h);
  t.is(welcomes(), 6);
  t.is(server.server.stat('handshakesRateLimited'), 3);
  t.is(server.server.stat('handshakesDone'), 7);
  // Less than a token left, yet the peer that holds a session re-keys and calls as before.
  server.net.length = 0;
  server.client.hello(server.serverId.nodeId);
  server.flush();
  t.is(server.server.stat('handshakesDone'), 8);
  t.is(server.server.stat('handshakesRateLimited'), 3);
  const seq = server.client.call(server.serverId.nodeId, SPECIES, Uint8Array.of(0x81, 0x02));
  server.flush();
  t.deepEqual(server.delivered.at(-1), [MsgType.REPLY, seq, server.serverId.nodeId, '8102']);
});
