// The firmware profile of docs/abi.md: what every kernel and cell .wasm must satisfy so that the
// same bytes run under V8, the simulator and wasm3 on an MCU. One report names every violation,
// so a build fails with the whole list instead of one problem per attempt.
import wabtInit from 'wabt';
import { inspectWasm, type ExportFact, type FuncSignature, type ImportFact } from './inspect.ts';

// wabt loads its own wasm asynchronously; awaiting it once here keeps checkProfile synchronous.
const wabt = await wabtInit();

/** The HAL import table of docs/abi.md, module `hal`. */
export const HAL_IMPORTS: Readonly<Record<string, FuncSignature>> = {
  send: { params: ['i32', 'i32'], results: [] },
  now: { params: [], results: ['f64'] },
  random: { params: [], results: ['i32'] },
  log: { params: ['i32', 'i32', 'i32'], results: [] },
  panic: { params: ['i32', 'i32', 'i32', 'i32'], results: [] },
  cell_call: { params: ['i32', 'i32', 'i32', 'i32', 'i32'], results: ['i32'] },
  deliver: { params: ['i32', 'i32', 'i32', 'i32', 'i32'], results: [] },
  spawn: { params: ['i32', 'i32'], results: ['i32'] },
  retire: { params: ['i32'], results: [] },
  // Crypto for sessions (docs/security.md): the secret key stays with the host or the board.
  sign: { params: ['i32', 'i32', 'i32'], results: ['i32'] },
  verify: { params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] },
  x25519: { params: ['i32', 'i32', 'i32'], results: ['i32'] },
  mac: { params: ['i32', 'i32', 'i32', 'i32', 'i32'], results: [] },
  hash: { params: ['i32', 'i32', 'i32'], results: [] },
};

/** Cells reach the outside world only through these. */
export const CELL_HAL_IMPORTS: readonly string[] = ['panic', 'log'];

/** Post-MVP features the profile allows (wabt names). */
export const ALLOWED_FEATURES = ['mutable_globals', 'sign_extension', 'sat_float_to_int', 'bulk_memory', 'multi_value'] as const;

/** Features the profile forbids (wabt names); wasm3 on the boards lacks them. */
export const FORBIDDEN_FEATURES = [
  'simd', 'relaxed_simd', 'threads', 'reference_types', 'function_references', 'gc', 'exceptions',
  'tail_call', 'multi_memory', 'memory64', 'extended_const',
] as const;

export type ForbiddenFeature = (typeof FORBIDDEN_FEATURES)[number];

const FEATURE_TITLES: Record<ForbiddenFeature, string> = {
  simd: 'SIMD', relaxed_simd: 'relaxed SIMD', threads: 'threads/atomics', reference_types: 'reference types',
  function_references: 'typed function references', gc: 'GC', exceptions: 'exception handling',
  tail_call: 'tail calls', multi_memory: 'multi-memory', memory64: 'memory64', extended_const: 'extended constant expressions',
};

// AssemblyScript's default host imports, which a firmware build must route to the HAL instead.
const AS_ENV_HINTS: Record<string, string> = {
  abort: "AssemblyScript's default abort; build with --use abort=firmware/hal/hal/halAbort so aborts go to hal.panic",
  seed: 'AssemblyScript Math.random seed; firmware gets randomness from hal.random',
  trace: 'AssemblyScript trace(); firmware logs through hal.log',
};

export interface ProfileOptions {
  kind: 'kernel' | 'cell';
  /** Page budget for the memory maximum (the `mcu` target is 1). */
  maxPages: number;
}

export interface ProfileReport {
  ok: boolean;
  /** One human-readable line per violation; empty when ok. */
  problems: string[];
  imports: ImportFact[];
  exports: ExportFact[];
  memory: { initialPages: number; maximumPages: number | null } | null;
  /** Forbidden features the module needs (wabt names, e.g. `simd`); empty when none. */
  features: ForbiddenFeature[];
}

export function checkProfile(wasm: Uint8Array, opts: ProfileOptions): ProfileReport {
  if (opts.kind !== 'kernel' && opts.kind !== 'cell') throw new Error(`checkProfile: kind must be 'kernel' or 'cell', got ${String(opts.kind)}`);
  if (!Number.isInteger(opts.maxPages) || opts.maxPages < 1) throw new Error(`checkProfile: maxPages must be a positive integer, got ${opts.maxPages}`);

  let facts;
  try {
    facts = inspectWasm(wasm);
  } catch (err) {
    return { ok: false, problems: [(err as Error).message], imports: [], exports: [], memory: null, features: [] };
  }
  const problems: string[] = [];

  if (facts.memories.length === 0) problems.push('memory: none declared (the profile needs one fixed memory, declared in the module)');
  if (facts.memories.length > 1) problems.push(`memory: ${facts.memories.length} memories (multi-memory is outside the profile)`);
  const mem = facts.memory;
  if (mem) {
    if (mem.imported) {
      const imp = facts.imports.find((i) => i.kind === 'memory');
      problems.push(`memory: imported from ${imp ? `${imp.module}.${imp.name}` : 'the host'}; it must be declared in the module, not imported`);
    }
    if (mem.shared) problems.push('memory: shared (threads are outside the profile)');
    if (mem.memory64) problems.push('memory: 64-bit memory (memory64 is outside the profile)');
    if (mem.maximumPages === null) {
      problems.push(`memory: no maximum (initial ${mem.initialPages} pages); the profile needs initial == maximum`);
    } else {
      if (mem.initialPages !== mem.maximumPages) {
        problems.push(`memory: initial ${mem.initialPages} pages != maximum ${mem.maximumPages} pages; the profile needs a fixed memory`);
      }
      if (mem.maximumPages > opts.maxPages) {
        problems.push(`memory: maximum ${mem.maximumPages} pages exceeds the budget of ${opts.maxPages} page(s)`);
      }
    }
  }

  for (const imp of facts.imports) problems.push(...importProblems(imp, opts.kind));

  const featureCheck = checkFeatures(wasm);
  problems.push(...featureCheck.problems);

  return {
    ok: problems.length === 0,
    problems,
    imports: facts.imports,
    exports: facts.exports,
    memory: mem ? { initialPages: mem.initialPages, maximumPages: mem.maximumPages } : null,
    features: featureCheck.features,
  };
}

/** checkProfile, throwing one Error that lists every problem. */
export function assertProfile(wasm: Uint8Array, opts: ProfileOptions): ProfileReport {
  const report = checkProfile(wasm, opts);
  if (!report.ok) {
    throw new Error(`${opts.kind} module violates the firmware profile (docs/abi.md):\n  - ${report.problems.join('\n  - ')}`);
  }
  return report;
}

function importProblems(imp: ImportFact, kind: 'kernel' | 'cell'): string[] {
  const where = `import ${imp.module}.${imp.name}`;
  if (imp.module !== 'hal') {
    const hint = imp.module === 'env' ? AS_ENV_HINTS[imp.name] : undefined;
    return [`${where}: only module "hal" may be imported${hint ? ` (${hint})` : ''}`];
  }
  if (imp.kind !== 'function') return [`${where}: a ${imp.kind}; the HAL provides only functions`];
  const expected = Object.hasOwn(HAL_IMPORTS, imp.name) ? HAL_IMPORTS[imp.name] : undefined;
  if (!expected) return [`${where}: not a HAL function (the HAL has ${Object.keys(HAL_IMPORTS).join(', ')})`];
  const problems: string[] = [];
  if (kind === 'cell' && !CELL_HAL_IMPORTS.includes(imp.name)) {
    problems.push(`${where}: cells may import only ${CELL_HAL_IMPORTS.map((n) => `hal.${n}`).join(' and ')}`);
  }
  if (imp.signature && formatSig(imp.signature) !== formatSig(expected)) {
    problems.push(`${where}: signature ${formatSig(imp.signature)} does not match the HAL's ${formatSig(expected)}`);
  }
  return problems;
}

function formatSig(sig: FuncSignature): string {
  return `(${sig.params.join(', ')}) -> (${sig.results.join(', ')})`;
}

type FeatureSet = Partial<Record<(typeof ALLOWED_FEATURES)[number] | ForbiddenFeature, boolean>>;

/** null when wabt reads and validates the module with these features, else wabt's message. */
function wabtError(wasm: Uint8Array, features: FeatureSet): string | null {
  let mod;
  try {
    mod = wabt.readWasm(wasm, { readDebugNames: false, ...features });
    // validate() takes the feature set too (missing from wabt's typings); without it wabt's
    // defaults (SIMD, reference types on) would apply.
    (mod.validate as (f: FeatureSet) => void).call(mod, features);
    return null;
  } catch (err) {
    return firstLines(String((err as Error)?.message ?? err));
  } finally {
    mod?.destroy();
  }
}

function profileFeatures(extra: readonly ForbiddenFeature[]): FeatureSet {
  const set: FeatureSet = {};
  for (const f of ALLOWED_FEATURES) set[f] = true;
  for (const f of FORBIDDEN_FEATURES) set[f] = extra.includes(f);
  return set;
}

/**
 * Validates under the profile's features. On failure, a feature is named as needed when the module
 * validates with every forbidden feature on but not with all of them except that one, so a module
 * using several forbidden features gets each one named.
 */
function checkFeatures(wasm: Uint8Array): { problems: string[]; features: ForbiddenFeature[] } {
  const baseError = wabtError(wasm, profileFeatures([]));
  if (baseError === null) return { problems: [], features: [] };
  if (wabtError(wasm, profileFeatures(FORBIDDEN_FEATURES)) !== null) {
    return { problems: [`invalid module (wabt): ${baseError}`], features: [] };
  }
  // Each feature's own message comes from validating without just that feature.
  const needed: Array<{ feature: ForbiddenFeature; error: string }> = [];
  for (const feature of FORBIDDEN_FEATURES) {
    const error = wabtError(wasm, profileFeatures(FORBIDDEN_FEATURES.filter((g) => g !== feature)));
    if (error !== null) needed.push({ feature, error });
  }
  if (needed.length === 0) {
    return { problems: [`feature: the module needs a combination of features outside the profile (wabt: ${baseError})`], features: [] };
  }
  return {
    problems: needed.map(({ feature, error }) => `feature ${feature} (${FEATURE_TITLES[feature]}) is outside the profile (wabt: ${error})`),
    features: needed.map((n) => n.feature),
  };
}

function firstLines(text: string): string {
  // wabt prefixes "readWasm failed:" / "validate failed:"; the error lines after it are the news.
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !/^(readWasm|validate) failed:$/.test(l));
  return lines.slice(0, 3).join('; ');
}
