// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, MSB-first, no final XOR), as docs/wire.md
// specifies for serial frames. Check value: 0x29B1 for ASCII "123456789".
// A byte-wise table keeps it one lookup per byte, cheap enough for the firmware to mirror.

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1;
    t[i] = c & 0xffff;
  }
  return t;
})();

export const CRC16_INIT = 0xffff;

/** CRC of `bytes`; pass a previous result as `crc` to continue over several pieces. */
export function crc16(bytes: Uint8Array, crc: number = CRC16_INIT): number {
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ bytes[i]!) & 0xff]!) & 0xffff;
  return crc;
}
