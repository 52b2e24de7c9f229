// The UF2 writer and reader (host/board/uf2.ts) and the RP2040 bootrom's boot2 CRC32
// (host/board/rp2040-boot2-crc.ts): known vectors, round trips, refusals.
import test from 'ava';
import fc from 'fast-check';
import { fromUf2, toUf2, UF2_FAMILY_RP2040 } from '../host/board/uf2.ts';
import { boot2CrcOk, bootromCrc32 } from '../host/board/rp2040-boot2-crc.ts';

test('the boot2 CRC is CRC-32/MPEG-2 (check value of "123456789" is 0x0376e6e7)', (t) => {
  t.is(bootromCrc32(new TextEncoder().encode('123456789')), 0x0376e6e7);
  t.is(bootromCrc32(new Uint8Array()), 0xffffffff);
});

test('boot2CrcOk accepts 252 bytes with their CRC after them and refuses any flipped bit', (t) => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 252, maxLength: 252 }), fc.nat(255 * 8 + 7), (code, bit) => {
    const img = new Uint8Array(256);
    img.set(code);
    new DataView(img.buffer).setUint32(252, bootromCrc32(code), true);
    if (!boot2CrcOk(img)) return false;
    img[bit >> 3]! ^= 1 << (bit & 7);
    return !boot2CrcOk(img);
  }));
  t.false(boot2CrcOk(new Uint8Array(255)));
});

test('a UF2 block is laid out as the spec says: magics, flags with the family id, address, 256 bytes, block numbers', (t) => {
  const uf2 = toUf2(new Uint8Array(300).fill(7), 0x10000000, UF2_FAMILY_RP2040);
  t.is(uf2.length, 1024);
  const v = new DataView(uf2.buffer);
  t.deepEqual([v.getUint32(0, true), v.getUint32(4, true), v.getUint32(508, true)], [0x0a324655, 0x9e5d5157, 0x0ab16f30]);
  t.is(v.getUint32(8, true), 0x2000);
  t.deepEqual([v.getUint32(512 + 12, true), v.getUint32(512 + 16, true), v.getUint32(512 + 20, true), v.getUint32(512 + 24, true), v.getUint32(512 + 28, true)], [0x10000100, 256, 1, 2, 0xe48bff56]);
  t.is(uf2[512 + 32 + 43], 7);
  t.is(uf2[512 + 32 + 44], 0, 'the last block is padded with zeros');
});

test('any image round-trips through UF2; other families and broken blocks are refused', (t) => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 2000 }), fc.nat(0xffff), (img, page) => {
    const base = 0x10000000 + page * 256;
    const { baseAddress, image } = fromUf2(toUf2(img, base, UF2_FAMILY_RP2040), UF2_FAMILY_RP2040);
    return baseAddress === base && image.length >= img.length && image.subarray(0, img.length).every((b, i) => b === img[i]);
  }));
  const uf2 = toUf2(new Uint8Array(10), 0x10000000, UF2_FAMILY_RP2040);
  t.throws(() => fromUf2(uf2, 0x1234), { message: /not for family/ });
  t.throws(() => fromUf2(uf2.subarray(0, 500), UF2_FAMILY_RP2040), { message: /whole 512-byte blocks/ });
  const bad = uf2.slice();
  bad[0] = 0;
  t.throws(() => fromUf2(bad, UF2_FAMILY_RP2040), { message: /bad magic/ });
  t.throws(() => toUf2(new Uint8Array(), 0x10000000, UF2_FAMILY_RP2040), { message: /empty image/ });
  t.throws(() => toUf2(new Uint8Array(1), 0x10000001, UF2_FAMILY_RP2040), { message: /not 256-byte aligned/ });
});
