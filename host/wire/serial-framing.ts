// Serial framing (docs/wire.md, "Transports"): frame + CRC-16/CCITT-FALSE (little-endian), COBS
// encoded, between two 0x00 delimiters. The leading one ends whatever noise came before, so
// noise without a 0x00 costs only itself, not the next good frame. A byte stream has no packet boundaries, so the receiver cuts it
// at each 0x00 and checks every run on its own: whatever went wrong (line noise, a frame torn by
// a reset, a flipped bit) costs that one run, and the next 0x00 puts the receiver back in step.
import { cobsDecode, cobsEncode, cobsMaxEncodedLength } from './cobs.ts';
import { crc16 } from './crc16.ts';
import { checkFrame, HEADER_BYTES } from './header.ts';

export const CRC_BYTES = 2;
/** Default largest frame (header + payload) a serial receiver accepts: small boards buffer whole frames. */
export const DEFAULT_SERIAL_MAX_FRAME = HEADER_BYTES + 4096;

/** Wire bytes of one frame: 0x00 + COBS(frame + crc16 LE) + 0x00. Any bytes are accepted (tests frame garbage with it). */
export function encodeSerialFrame(frame: Uint8Array): Uint8Array {
  const body = new Uint8Array(frame.length + CRC_BYTES);
  body.set(frame);
  const crc = crc16(frame);
  body[frame.length] = crc & 0xff;
  body[frame.length + 1] = crc >>> 8;
  const out = new Uint8Array(cobsMaxEncodedLength(body.length) + 2);
  const n = cobsEncode(body, out.subarray(1)).length;
  out[0] = 0;
  out[n + 1] = 0;
  return out.subarray(0, n + 2);
}

/** Why a run between two 0x00 bytes was dropped. */
export type SerialDropReason =
  /** Not valid COBS: garbage, or a frame torn short (its code bytes overrun the run). */
  | 'cobs'
  /** Decoded to fewer bytes than a CRC. */
  | 'short'
  /** Longer than maxFrame + CRC; its bytes were discarded as they came, not buffered. */
  | 'oversize'
  /** CRC mismatch: bits flipped, or two torn pieces that happen to be valid COBS together. */
  | 'crc'
  /** CRC fine but checkFrame rejected the header (a peer speaking another version, or a bug). */
  | 'header';

export interface SerialDeframerStats {
  frames: number;
  dropped: number;
  drops: Record<SerialDropReason, number>;
}

export interface SerialDeframerOptions {
  /** Largest frame (header + payload) accepted; longer runs are dropped as 'oversize'. */
  maxFrame?: number;
  /** false: pass frames whose first bytes are not a mesh header (the board install protocol's). */
  checkHeader?: boolean;
}

export class SerialDeframer {
  readonly maxFrame: number;
  readonly stats: SerialDeframerStats = {
    frames: 0,
    dropped: 0,
    drops: { cobs: 0, short: 0, oversize: 0, crc: 0, header: 0 },
  };
  // Encoded bytes of the current run, and the decode target; both fixed size, so memory stays
  // bounded whatever the line sends.
  private readonly run: Uint8Array;
  private readonly decoded: Uint8Array;
  private runLength = 0;
  private discarding = false;
  private readonly checkHeader: boolean;

  constructor(private readonly onFrame: (frame: Uint8Array) => void, opts: SerialDeframerOptions = {}) {
    this.checkHeader = opts.checkHeader ?? true;
    const max = opts.maxFrame ?? DEFAULT_SERIAL_MAX_FRAME;
    if (!Number.isInteger(max) || max < HEADER_BYTES || max > HEADER_BYTES + 0xffff) {
      throw new RangeError(`maxFrame must be an integer in ${HEADER_BYTES}..${HEADER_BYTES + 0xffff}, got ${max}`);
    }
    this.maxFrame = max;
    this.run = new Uint8Array(cobsMaxEncodedLength(max + CRC_BYTES));
    this.decoded = new Uint8Array(this.run.length);
  }

  /** Feeds received bytes, cut anywhere; calls onFrame for each valid frame, in order. */
  push(chunk: Uint8Array): void {
    let start = 0;
    while (start < chunk.length) {
      const zero = chunk.indexOf(0, start);
      const end = zero < 0 ? chunk.length : zero;
      if (end > start) this.append(chunk.subarray(start, end));
      if (zero < 0) return;
      this.endRun();
      start = zero + 1;
    }
  }

  /** Forgets a partial run (e.g. after reopening a port) without counting it. */
  reset(): void {
    this.runLength = 0;
    this.discarding = false;
  }

  private append(part: Uint8Array): void {
    if (this.discarding) return;
    if (this.runLength + part.length > this.run.length) {
      this.discarding = true;
      this.runLength = 0;
      return;
    }
    this.run.set(part, this.runLength);
    this.runLength += part.length;
  }

  private drop(reason: SerialDropReason): void {
    this.stats.dropped++;
    this.stats.drops[reason]++;
  }

  private endRun(): void {
    const length = this.runLength;
    const discarded = this.discarding;
    this.reset();
    if (discarded) return this.drop('oversize');
    // Back-to-back delimiters are idle line, not a frame: a sender may use one to flush a peer.
    if (length === 0) return;
    const r = cobsDecode(this.run.subarray(0, length), this.decoded);
    if (!r.ok) return this.drop('cobs');
    const body = r.bytes;
    if (body.length < CRC_BYTES) return this.drop('short');
    const n = body.length - CRC_BYTES;
    if (n > this.maxFrame) return this.drop('oversize');
    const frame = body.subarray(0, n);
    if (crc16(frame) !== (body[n]! | (body[n + 1]! << 8))) return this.drop('crc');
    if (this.checkHeader && checkFrame(frame) !== 0) return this.drop('header');
    this.stats.frames++;
    // A copy: the decode buffer is reused by the next run.
    this.onFrame(frame.slice());
  }
}
