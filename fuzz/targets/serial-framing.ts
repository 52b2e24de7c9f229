// Serial framing (host/wire/serial-framing.ts, cobs.ts, crc16.ts): the input is line noise cut
// into random chunks, then a delimiter and one good frame. Whatever the noise, the good frame
// must come out intact, and only frames whose CRC and header check out may come out at all.
import { SerialDeframer, encodeSerialFrame } from '../../host/wire/serial-framing.ts';
import { cobsDecode, cobsEncode } from '../../host/wire/cobs.ts';
import { checkFrame } from '../../host/wire/header.ts';
import { InvariantViolation, type FuzzTarget } from '../fuzz-target.ts';
import { validFrames } from '../valid-frames.ts';

export function serialTarget(): FuzzTarget {
  const frames = validFrames();
  const good = frames[3]!;
  const goodWire = encodeSerialFrame(good);
  const out: Uint8Array[] = [];
  const deframer = new SerialDeframer((f) => out.push(f));
  return {
    name: 'serial',
    what: 'serial deframer: COBS decode, CRC-16, header check, resynchronisation at 0x00 (host/wire/serial-framing.ts)',
    // Encoded frames, back to back and alone, so mutations tear, splice and flip real wire bytes.
    examples: [...frames.map(encodeSerialFrame), Buffer.concat(frames.slice(0, 4).map(encodeSerialFrame))],
    maxRandomBytes: 600,
    run(input, rng) {
      // COBS must round-trip any bytes.
      const back = cobsDecode(cobsEncode(input));
      if (!back.ok || Buffer.compare(back.bytes, input) !== 0) throw new InvariantViolation('cobsDecode(cobsEncode(x)) is not x');
      const before = { ...deframer.stats, drops: { ...deframer.stats.drops } };
      out.length = 0;
      const stream = Buffer.concat([input, Uint8Array.of(0), goodWire]);
      for (let at = 0; at < stream.length; ) {
        const n = 1 + rng.int(64);
        deframer.push(stream.subarray(at, at + n));
        at += n;
      }
      for (const f of out) if (checkFrame(f) !== 0) throw new InvariantViolation('the deframer passed on a frame with a bad header');
      const last = out[out.length - 1];
      if (!last || Buffer.compare(last, good) !== 0) throw new InvariantViolation('a good frame after a delimiter was lost or altered');
      const s = deframer.stats;
      if (s.frames - before.frames !== out.length) throw new InvariantViolation('frames counted differ from frames delivered');
      // The reason of this input's drops (the good frame is the last delivered; anything else came from the noise).
      const reasons = Object.entries(s.drops).filter(([k, v]) => v > before.drops[k as keyof typeof s.drops]).map(([k]) => k);
      if (reasons.length > 0) return `dropped ${reasons.sort().join('+')}`;
      return out.length > 1 ? `ok, ${out.length - 1} frame(s) in the noise` : 'ok';
    },
  };
}
