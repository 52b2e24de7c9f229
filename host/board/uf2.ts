// UF2 (https://github.com/microsoft/uf2): the file a user copies to a board's USB mass-storage
// drive (an RP2040 in BOOTSEL mode shows as RPI-RP2). 512-byte blocks, each carrying 256 bytes of
// the image at its flash address; the family id tells the bootloader which chip the file is for.

export const UF2_FAMILY_RP2040 = 0xe48bff56;
const MAGIC_START0 = 0x0a324655;
const MAGIC_START1 = 0x9e5d5157;
const MAGIC_END = 0x0ab16f30;
const FLAG_FAMILY_ID_PRESENT = 0x00002000;
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
  const out = new Uint8Array(blocks.length * 512);
  const view = new DataView(out.buffer);
  blocks.forEach((b, i) => {
    const o = i * 512;
    view.setUint32(o, MAGIC_START0, true);
    view.setUint32(o + 4, MAGIC_START1, true);
    view.setUint32(o + 8, FLAG_FAMILY_ID_PRESENT, true);
    view.setUint32(o + 12, b.address, true);
    view.setUint32(o + 16, PAYLOAD, true);
    view.setUint32(o + 20, i, true);
    view.setUint32(o + 24, blocks.length, true);
    view.setUint32(o + 28, familyId, true);
    out.set(b.bytes, o + 32);
    view.setUint32(o + 508, MAGIC_END, true);
  });
  return out;
}

/** The image a UF2 file describes, from its lowest address; refuses blocks that are not UF2 or are for another family. */
export function fromUf2(file: Uint8Array, familyId: number): { baseAddress: number; image: Uint8Array } {
  if (file.length === 0 || file.length % 512 !== 0) throw new Error(`a UF2 file is whole 512-byte blocks; this one is ${file.length} bytes`);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const parts: Array<{ addr: number; bytes: Uint8Array }> = [];
  for (let o = 0; o < file.length; o += 512) {
    if (view.getUint32(o, true) !== MAGIC_START0 || view.getUint32(o + 4, true) !== MAGIC_START1 || view.getUint32(o + 508, true) !== MAGIC_END) {
      throw new Error(`block ${o / 512} is not a UF2 block (bad magic)`);
    }
    const flags = view.getUint32(o + 8, true);
    if (!(flags & FLAG_FAMILY_ID_PRESENT) || view.getUint32(o + 28, true) !== familyId) throw new Error(`block ${o / 512} is not for family 0x${familyId.toString(16)}`);
    const size = view.getUint32(o + 16, true);
    if (size > 476) throw new Error(`block ${o / 512} claims ${size} payload bytes (at most 476)`);
    parts.push({ addr: view.getUint32(o + 12, true), bytes: file.subarray(o + 32, o + 32 + size) });
  }
  const base = Math.min(...parts.map((p) => p.addr));
  const end = Math.max(...parts.map((p) => p.addr + p.bytes.length));
  const image = new Uint8Array(end - base);
  for (const p of parts) image.set(p.bytes, p.addr - base);
  return { baseAddress: base, image };
}
