// The CRC32 the RP2040 bootrom checks a flash image's boot2 with (datasheet 2.8.1.3): the first
// 252 bytes of flash against the little-endian word after them. CRC-32/MPEG-2: polynomial
// 0x04c11db7, initial 0xffffffff, no reflection, no final xor.

export function bootromCrc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    crc >>>= 0;
  }
  return crc >>> 0;
}

/** Whether the first 256 bytes of a flash image are a boot2 the bootrom would run. */
export function boot2CrcOk(image: Uint8Array): boolean {
  if (image.length < 256) return false;
  return bootromCrc32(image.subarray(0, 252)) === new DataView(image.buffer, image.byteOffset, 256).getUint32(252, true);
}
