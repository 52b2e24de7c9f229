// UF2 (https://github.com/microsoft/uf2): the file a user copies to a board's USB mass-storage
// drive (an RP2040 in BOOTSEL mode shows as RPI-RP2). 512-byte blocks, each carrying 256 bytes of
// the image at its flash address; the family id tells the bootloader which chip the file is for.
// The blocks themselves are the `uf2` package's (encodeBlock, decodeBlock); this file lays an
// image out into them and reads one back.
import { blockSize, decodeBlock, encodeBlock, familyID, UF2DecodeError, UF2Flags } from 'uf2';

export const UF2_FAMILY_RP2040 = familyID('Raspberry Pi RP2040')!;
/** Bytes of image per block: the 256 the RP2040 bootrom writes at a time. */
const PAYLOAD = 256;

/** The UF2 file of `image` placed at `baseAddress` (rounded into 256-byte blocks, the last one padded with zeros). */
export function toUf2(image: Uint8Array, baseAddress: number, familyId: number): Uint8Array {
  return toUf2Parts([{ address: baseAddress, bytes: image }], familyId);
}

/** One UF2 file of several regions (an rp2040 image and its pre-filled module store); block numbers run across all. */
export function toUf2Parts(parts: Array<{ address: number; bytes: Uint8Array }>, familyId: number): Uint8Array {
  const blocks: Array<{ address: number; bytes: Uint8Array }> = [];
  for (const { address, bytes } of parts) {
    if (bytes.length === 0) throw new Error('an empty image has no UF2 blocks');
    if (address % PAYLOAD !== 0) throw new Error(`the image's base address 0x${address.toString(16)} is not 256-byte aligned`);
    for (let at = 0; at < bytes.length; at += PAYLOAD) blocks.push({ address: address + at, bytes: bytes.subarray(at, at + PAYLOAD) });
  }
  const out = new Uint8Array(blocks.length * blockSize);
  blocks.forEach((b, i) => {
    const payload = new Uint8Array(PAYLOAD);
    payload.set(b.bytes);
    encodeBlock({ flags: UF2Flags.familyIDPresent, flashAddress: b.address, payload, blockNumber: i, totalBlocks: blocks.length, boardFamily: familyId }, out, i * blockSize);
  });
  return out;
}

/** The image a UF2 file describes, from its lowest address; refuses blocks that are not UF2 or are for another family. */
export function fromUf2(file: Uint8Array, familyId: number): { baseAddress: number; image: Uint8Array } {
  if (file.length === 0 || file.length % blockSize !== 0) throw new Error(`a UF2 file is whole 512-byte blocks; this one is ${file.length} bytes`);
  const parts: Array<{ addr: number; bytes: Uint8Array }> = [];
  for (let o = 0; o < file.length; o += blockSize) {
    const n = o / blockSize;
    let block;
    try {
      block = decodeBlock(file.subarray(o, o + blockSize));
    } catch (e) {
      if (!(e instanceof UF2DecodeError)) throw e;
      throw new Error(/magic/.test(e.message) ? `block ${n} is not a UF2 block (bad magic)` : `block ${n}: ${e.message}`);
    }
    if (!(block.flags & UF2Flags.familyIDPresent) || block.boardFamily !== familyId) throw new Error(`block ${n} is not for family 0x${familyId.toString(16)}`);
    parts.push({ addr: block.flashAddress, bytes: block.payload });
  }
  const base = Math.min(...parts.map((p) => p.addr));
  const end = Math.max(...parts.map((p) => p.addr + p.bytes.length));
  const image = new Uint8Array(end - base);
  for (const p of parts) image.set(p.bytes, p.addr - base);
  return { baseAddress: base, image };
}
