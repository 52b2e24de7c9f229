// The 20-byte Cell frame header (docs/wire.md), host side. The firmware kernel has the same
// codec in firmware/kernel/header.ts; both are held to test/vectors/header.json, and both take
// their numbers from the protocol table (docs/protocol.toml).

import { HEADER_BYTES, MAGIC, VERSION, FLAGS_RESERVED, MsgType, HeaderReject } from './protocol-table.ts';

// The header's numbers belong to the protocol table; importers of the codec get them here too.
export { HEADER_BYTES, MAGIC, VERSION, BROADCAST, Flag, MsgType, HeaderReject } from './protocol-table.ts';

export interface Header {
  type: MsgType;
  flags: number;
  src: number;
  dst: number;
  species: number;
  seq: number;
  length: number;
}

export class HeaderError extends Error {
  constructor(readonly reason: HeaderReject) {
    super(`frame rejected: ${HeaderReject[reason]}`);
  }
}

function u8(name: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`header field ${name}=${v} out of range 0..${max}`);
  return v;
}

/** Writes the header into `out` at `offset` (default 0); `out` must have 20 bytes there. */
export function encodeHeader(h: Header, out: Uint8Array = new Uint8Array(HEADER_BYTES), offset = 0): Uint8Array {
  if (out.length - offset < HEADER_BYTES) throw new RangeError('header needs 20 bytes');
  if (!(h.type in MsgType) || typeof MsgType[h.type] !== 'string') throw new RangeError(`unknown message type ${h.type}`);
  u8('flags', h.flags, 0x0f);
  const dv = new DataView(out.buffer, out.byteOffset + offset, HEADER_BYTES);
  dv.setUint8(0, MAGIC);
  dv.setUint8(1, VERSION);
  dv.setUint8(2, h.type);
  dv.setUint8(3, h.flags);
  dv.setUint32(4, u8('src', h.src, 0xffffffff), true);
  dv.setUint32(8, u8('dst', h.dst, 0xffffffff), true);
  dv.setUint32(12, u8('species', h.species, 0xffffffff), true);
  dv.setUint16(16, u8('seq', h.seq, 0xffff), true);
  dv.setUint16(18, u8('length', h.length, 0xffff), true);
  return out;
}

/** Checks a whole frame; returns 0 when valid, else the rejection reason. Never throws. */
export function checkFrame(frame: Uint8Array): HeaderReject | 0 {
  if (frame.length < HEADER_BYTES) return HeaderReject.SHORT;
  if (frame[0] !== MAGIC) return HeaderReject.BAD_MAGIC;
  if (frame[1] !== VERSION) return HeaderReject.BAD_VERSION;
  const type = frame[2]!;
  if (type < MsgType.CALL || type > MsgType.SPAWN) return HeaderReject.BAD_TYPE;
  if ((frame[3]! & FLAGS_RESERVED) !== 0) return HeaderReject.BAD_FLAGS;
  const length = frame[18]! | (frame[19]! << 8);
  const total = HEADER_BYTES + length;
  if (frame.length < total) return HeaderReject.TRUNCATED;
  if (frame.length > total) return HeaderReject.TRAILING;
  return 0;
}

/** Decodes a whole frame's header, throwing HeaderError with the reason if it is rejected. */
export function decodeHeader(frame: Uint8Array): Header {
  const reason = checkFrame(frame);
  if (reason !== 0) throw new HeaderError(reason);
  const dv = new DataView(frame.buffer, frame.byteOffset, HEADER_BYTES);
  return {
    type: dv.getUint8(2),
    flags: dv.getUint8(3),
    src: dv.getUint32(4, true),
    dst: dv.getUint32(8, true),
    species: dv.getUint32(12, true),
    seq: dv.getUint16(16, true),
    length: dv.getUint16(18, true),
  };
}

/** Builds a whole frame: header + payload. */
export function encodeFrame(h: Omit<Header, 'length'>, payload: Uint8Array): Uint8Array {
  if (payload.length > 0xffff) throw new RangeError(`payload of ${payload.length} bytes exceeds the 65535-byte frame limit`);
  const frame = new Uint8Array(HEADER_BYTES + payload.length);
  encodeHeader({ ...h, length: payload.length }, frame);
  frame.set(payload, HEADER_BYTES);
  return frame;
}
