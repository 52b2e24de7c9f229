// The firmware profile of docs/abi.md: what every kernel and cell .wasm must satisfy so that the
// same bytes run under V8, the simulator and wasm3 on an MCU. One report names every violation,
// so a build fails with the whole list instead of one problem per attempt. It loads no toolchain:
// `cell run` checks every cell it hosts with it (features: wasm-features.ts; validity: V8).
import { inspectWasm, type ExportFact, type FuncSignature, type ImportFact } from './inspect.ts';
import { FORBIDDEN_FEATURES, scanFeatures, type ForbiddenFeature } from './wasm-features.ts';

export { FORBIDDEN_FEATURES, type ForbiddenFeature };

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
  store_get: { params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] },
  store_put: { params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] },
  store_del: { params: ['i32', 'i32'], results: ['i32'] },
  store_next: { params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] },
  // Crypto for sessions (docs/security.md): the secret key stays with the host or the board.
  sign: { params: ['i32', 'i32', 'i32'], results: ['i32'] },
  verify: { params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] },
  x25519: { params: ['i32', 'i32', 'i32'], results: ['i32'] },
  mac: { params: ['i32', 'i32', 'i32', 'i32', 'i32'], results: [] },
  hash: { params: ['i32', 'i32', 'i32'], results: [] },
  // Spore transfer (docs/spores.md): the kernel decides, the host holds the bytes.
  spore_get: { params: ['i32', 'i32', 'i32', 'i32', 'i32'], results: ['i32'] },
  spore_put: { params: ['i32', 'i32', 'i32', 'i32'], results: [] },
  spore_done: { params: ['i32', 'i32'], results: [] },
};

/** Cells reach the outside world only through these. */
export const CELL_HAL_IMPORTS: readonly string[] = ['panic', 'log', 'store_get', 'store_put', 'store_del', 'store_next'];

/** Post-MVP features the profile allows (wabt names): sign extension, saturating float-to-int,
 *  bulk memory, multi-value, mutable globals. Everything in FORBIDDEN_FEATURES is named. */
export const ALLOWED_FEATURES = ['mutable_globals', 'sign_extension', 'sat_float_to_int', 'bulk_memory', 'multi_value'] as const;

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
    problems.push(`${where}: cells may import only ${CELL_HAL_IMPORTS.map((n) => `hal.${n}`).join(', ')}`);
  }
  if (imp.signature && formatSig(imp.signature) !== formatSig(expected)) {
    problems.push(`${where}: signature ${formatSig(imp.signature)} does not match the HAL's ${formatSig(expected)}`);
  }
  return problems;
}

function formatSig(sig: FuncSignature): string {
  return `(${sig.params.join(', ')}) -> (${sig.results.join(', ')})`;
}

/**
 * Each forbidden feature the module uses, by name; a module with none must also compile (V8), so a
 * malformed one is reported as invalid rather than hosted.
 */
function checkFeatures(wasm: Uint8Array): { problems: string[]; features: ForbiddenFeature[] } {
  const scan = scanFeatures(wasm);
  const problems = scan.features.map((f) => `feature ${f} (${FEATURE_TITLES[f]}) is outside the profile`);
  if (scan.error !== null) return { problems: [...problems, `invalid module: ${scan.error}`], features: scan.features };
  if (scan.features.length > 0) return { problems, features: scan.features };
  // validate() checks without compiling: the host compiles the module once, after this check.
  if (WebAssembly.validate(wasm as Uint8Array<ArrayBuffer>)) return { problems: [], features: [] };
  try {
    new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>); // only for V8's message
  } catch (err) {
    return { problems: [`invalid module: ${(err as Error).message}`], features: [] };
  }
  return { problems: ['invalid module: refused by WebAssembly.validate'], features: [] };
}
