// Fixed spores for the vectors (test/vectors/spore-manifest.json), the tests and the fuzzer: a
// fixed key, fixed times and a tiny module that is a WebAssembly header plus the cell.schema
// section, enough for every check a verifier makes before instantiation.
import { appendCustomSection } from '../host/build/custom-section.ts';
import { SCHEMA_SECTION } from '../host/build/inspect.ts';
import { canonicalSchemaJson, validateSchema } from '../host/sdk/schema.ts';
import { publicKeyOf } from '../host/identity/node-identity.ts';
import type { AuthorityKey } from '../host/spore/authority-key.ts';
import { signSpore, type SporeSource } from '../host/spore/sign-spore.ts';

/** Secret key bytes 0x01..0x20 (a test key: never use it for anything else). */
export function vectorKey(seed = 1): AuthorityKey {
  const secretKey = Uint8Array.from({ length: 32 }, (_, i) => (i + seed) & 255);
  return { secretKey, publicKey: publicKeyOf(secretKey) };
}

export const VECTOR_ISSUED = 1_767_225_600; // 2026-01-01T00:00:00Z
export const VECTOR_EXPIRES = 1_798_761_600; // 2027-01-01T00:00:00Z

export function vectorSource(padding = 0): SporeSource {
  const schema = validateSchema({ name: 'vector', methods: [{ name: 'ping', params: [{ name: 'n', type: 'u32' }], result: 'u32' }], types: {} });
  let module: Uint8Array = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
  // A padding custom section makes modules of several chunks for the tests.
  if (padding > 0) module = appendCustomSection(module, 'pad', Uint8Array.from({ length: padding }, (_, i) => (i * 31 + 7) & 255));
  module = appendCustomSection(module, SCHEMA_SECTION, new TextEncoder().encode(canonicalSchemaJson(schema)));
  return { module, schema, biology: { min_replicas: 1, max_replicas: 4, cpu_target: 0.6 }, limits: { in_bytes: 256, out_bytes: 128 } };
}

export function vectorSpore(opts: { padding?: number; seed?: number; issuedAt?: number; expiresAt?: number; successor?: Uint8Array | null; revision?: number } = {}): Uint8Array {
  return signSpore(vectorSource(opts.padding ?? 0), {
    key: vectorKey(opts.seed ?? 1), issuedAt: opts.issuedAt ?? VECTOR_ISSUED, expiresAt: opts.expiresAt ?? VECTOR_EXPIRES,
    revision: opts.revision ?? 1, successor: opts.successor ?? null,
  });
}
