import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { chunkTree, chunkRoot, chunkProof, chunkCount, chunkOf, verifyChunk, proofLength, HASH_BYTES } from '../host/spore/chunk-tree.ts';
import { SPORE_CHUNK_BYTES } from '../host/wire/protocol-table.ts';

interface Vectors { cases: Array<{ size: number; chunks: number; root: string; proofs: string[] }> }
const vectors = JSON.parse(readFileSync(new URL('./vectors/chunk-tree.json', import.meta.url), 'utf8')) as Vectors;
const moduleOf = (size: number) => Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) & 255);
const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');
/** Bytes with no period (the vectors' formula repeats every 256 bytes, so its chunks are equal). */
function noisyModule(size: number, seed: number): Uint8Array {
  let x = (seed | 1) >>> 0;
  return Uint8Array.from({ length: size }, () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x & 255;
  });
}

test('chunk tree: roots and proofs match the vectors (test/vectors/chunk-tree.json)', (t) => {
  for (const c of vectors.cases) {
    const m = moduleOf(c.size);
    const levels = chunkTree(m);
    t.is(chunkCount(c.size), c.chunks, `size ${c.size}`);
    t.is(hex(chunkRoot(m)), c.root, `size ${c.size}`);
    t.deepEqual(c.proofs, Array.from({ length: c.chunks }, (_, i) => hex(chunkProof(levels, i))), `size ${c.size}`);
    for (let i = 0; i < c.chunks; i++) t.true(verifyChunk(Buffer.from(c.root, 'hex'), c.chunks, i, chunkOf(m, i), Buffer.from(c.proofs[i]!, 'hex')));
  }
});

test('chunk tree: a one-chunk module has the leaf as root and an empty proof', (t) => {
  const m = moduleOf(SPORE_CHUNK_BYTES);
  t.is(chunkTree(m).length, 1);
  t.is(proofLength(1, 0), 0);
});

test('chunk tree: bad sizes and indices are clear errors', (t) => {
  t.throws(() => chunkCount(0), { message: /positive integer/ });
  t.throws(() => chunkOf(moduleOf(10), 1), { message: /chunk 1: the module has 1/ });
  t.throws(() => chunkProof(chunkTree(moduleOf(3000)), 3), { message: /chunk 3: the tree has 3/ });
  t.false(verifyChunk(new Uint8Array(32), 0, 0, new Uint8Array(1), new Uint8Array(0)));
});

test('chunk tree (property): every chunk verifies; any changed chunk byte, proof byte, index or short chunk does not', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 12 * SPORE_CHUNK_BYTES + 7 }), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), (size, iSeed, bSeed, flip) => {
      const m = noisyModule(size, size + iSeed);
      const levels = chunkTree(m);
      const root = chunkRoot(m);
      const n = chunkCount(size);
      const i = iSeed % n;
      const chunk = chunkOf(m, i);
      const proof = chunkProof(levels, i);
      if (proof.length !== proofLength(n, i) * HASH_BYTES || !verifyChunk(root, n, i, chunk, proof)) return false;
      const badChunk = chunk.slice();
      badChunk[bSeed % badChunk.length]! ^= flip;
      if (verifyChunk(root, n, i, badChunk, proof)) return false;
      if (proof.length > 0) {
        const badProof = proof.slice();
        badProof[bSeed % badProof.length]! ^= flip;
        if (verifyChunk(root, n, i, chunk, badProof)) return false;
      }
      if (n > 1 && verifyChunk(root, n, (i + 1) % n, chunk, proof)) return false;
      if (chunk.length > 1 && verifyChunk(root, n, i, chunk.subarray(1), proof)) return false;
      return true;
    }),
    { numRuns: 300 },
  );
  t.pass();
});
