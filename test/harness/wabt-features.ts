// The oracle for host/build/wasm-features.ts: which forbidden features wabt's validator says a
// module needs: the smallest set of them with which it validates (the first in FORBIDDEN_FEATURES
// order among sets of that size). Features overlap in wabt (typed references and exceptions also
// turn the reference-type opcodes on), so "invalid without f" would not name them one by one.
import wabtInit from 'wabt';
import { ALLOWED_FEATURES, FORBIDDEN_FEATURES, type ForbiddenFeature } from '../../host/build/profile.ts';

const wabt = await wabtInit();

type FeatureSet = Partial<Record<(typeof ALLOWED_FEATURES)[number] | ForbiddenFeature, boolean>>;

function features(on: readonly ForbiddenFeature[]): FeatureSet {
  const set: FeatureSet = {};
  for (const f of ALLOWED_FEATURES) set[f] = true;
  for (const f of FORBIDDEN_FEATURES) set[f] = on.includes(f);
  return set;
}

function valid(wasm: Uint8Array, set: FeatureSet): boolean {
  let mod;
  try {
    mod = wabt.readWasm(wasm, { readDebugNames: false, ...set });
    // validate() takes the feature set too (missing from wabt's typings).
    (mod.validate as (f: FeatureSet) => void).call(mod, set);
    return true;
  } catch {
    return false;
  } finally {
    mod?.destroy();
  }
}

/** The smallest set of forbidden features wabt validates the module with (up to three), or null. */
export function wabtFeatures(wasm: Uint8Array): ForbiddenFeature[] | null {
  const all = FORBIDDEN_FEATURES;
  if (valid(wasm, features([]))) return [];
  for (const a of all) if (valid(wasm, features([a]))) return [a];
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) if (valid(wasm, features([all[i]!, all[j]!]))) return [all[i]!, all[j]!];
  }
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      for (let k = j + 1; k < all.length; k++) if (valid(wasm, features([all[i]!, all[j]!, all[k]!]))) return [all[i]!, all[j]!, all[k]!];
    }
  }
  return null;
}

/** A module from text, parsed with every feature on so modules outside the profile can be written. */
export function watToWasm(text: string): Uint8Array {
  // wabt takes more feature names than its typings list.
  const all = {
    simd: true, threads: true, tail_call: true, exceptions: true, reference_types: true, bulk_memory: true,
    multi_memory: true, memory64: true, extended_const: true, function_references: true, relaxed_simd: true,
  } as Parameters<typeof wabt.parseWat>[2];
  const mod = wabt.parseWat('test.wat', text, all);
  try {
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}
