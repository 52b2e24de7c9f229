// The board's serial receiver (boards/runtime/core/serial-framing.c), which decodes COBS as the
// bytes arrive, against the host's SerialDeframer (host/wire/serial-framing.ts, same largest
// frame, no header check): on random streams of good, corrupted, cut, oversized frames and noise,
// both deliver the same frames and count the same drops.
import test from 'ava';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../host/build/paths.ts';
import { encodeSerialFrame, SerialDeframer, DEFAULT_SERIAL_MAX_FRAME } from '../host/wire/serial-framing.ts';

const CORE = join(REPO_ROOT, 'boards', 'runtime', 'core');

function buildDriver(): string {
  const dir = join(REPO_ROOT, 'build', 'test-c');
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, 'deframer-driver');
  execFileSync(process.env.CC ?? 'cc', ['-std=c99', '-O1', '-Wall', '-Werror', '-I', CORE, '-o', exe, join(REPO_ROOT, 'test', 'fixtures', 'c', 'deframer-driver.c'), join(CORE, 'serial-framing.c')]);
  return exe;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** What the host's deframer makes of each stream, in the driver's output format. */
function hostView(streams: Uint8Array[]): string {
  const out: string[] = [];
  for (const s of streams) {
    const d = new SerialDeframer((f) => out.push(`f ${hex(f)}`), { maxFrame: DEFAULT_SERIAL_MAX_FRAME, checkHeader: false });
    d.push(s);
    out.push(`d ${d.stats.dropped}`);
  }
  return out.join('\n') + '\n';
}

const bytes = (max: number, zeros: number) => fc.array(fc.oneof({ weight: zeros, arbitrary: fc.constant(0) }, { weight: 8, arbitrary: fc.integer({ min: 1, max: 255 }) }), { maxLength: max }).map((a) => Uint8Array.from(a));
const part = fc.oneof(
  bytes(40, 3).map((b) => ({ kind: 'noise' as const, b })),
  fc.record({ b: bytes(300, 1), flip: fc.nat(), cut: fc.nat({ max: 3 }), bad: fc.boolean() }).map((p) => ({ kind: 'frame' as const, ...p })),
  // Around the largest frame: the receiver keeps DEFAULT_SERIAL_MAX_FRAME + 2 CRC bytes.
  fc.integer({ min: DEFAULT_SERIAL_MAX_FRAME - 2, max: DEFAULT_SERIAL_MAX_FRAME + 2 }).map((n) => ({ kind: 'frame' as const, b: Uint8Array.from({ length: n }, (_, i) => (i * 7) % 256), flip: 0, cut: 0, bad: false })),
);

function stream(parts: Array<{ kind: 'noise'; b: Uint8Array } | { kind: 'frame'; b: Uint8Array; flip: number; cut: number; bad: boolean }>): Uint8Array {
  const chunks = parts.map((p) => {
    if (p.kind === 'noise') return p.b;
    const e = encodeSerialFrame(p.b).slice();
    if (p.bad && e.length > 2) e[1 + (p.flip % (e.length - 2))]! ^= 1 << (p.flip % 8);
    return p.cut && e.length > p.cut + 1 ? e.subarray(0, e.length - p.cut) : e;
  });
  return Buffer.concat(chunks);
}

test('the board\'s streaming serial receiver delivers the same frames and counts the same drops as the host\'s deframer', (t) => {
  const exe = buildDriver();
  const streams = fc.sample(fc.array(part, { maxLength: 8 }), { numRuns: 400, seed: 42 }).map(stream);
  const input = Buffer.concat(streams.flatMap((s) => {
    const h = Buffer.alloc(4);
    h.writeUInt32LE(s.length);
    return [h, Buffer.from(s)];
  }));
  const board = execFileSync(exe, { input, maxBuffer: 64 << 20 }).toString();
  const host = hostView(streams);
  const frames = host.split('\n').filter((l) => l.startsWith('f ')).length;
  const drops = host.split('\n').filter((l) => l.startsWith('d ')).reduce((n, l) => n + Number(l.slice(2)), 0);
  t.log(`${streams.length} streams: ${frames} frames delivered, ${drops} runs dropped`);
  t.true(frames > 100 && drops > 100, 'the streams hold both good and bad runs');
  t.is(board, host);
});
