// Binaryen IR access shared by the build's rewrites (instruction meter, memory-grow guard): read a
// profile module, enumerate its defined functions and the children of any expression, and write
// it back with the profile's features only. Rewrites must be pure functions of their input bytes,
// so nothing here runs optimisation passes or touches binaryen's global settings.
import binaryen from 'binaryen';
import { inspectWasm, type WasmFacts } from './inspect.ts';

export type Expr = number;

/** The profile's features (docs/abi.md) in binaryen terms; rewritten modules are emitted with these only. */
export const PROFILE_BINARYEN_FEATURES: binaryen.Features =
  binaryen.Features.MutableGlobals |
  binaryen.Features.NontrappingFPToInt |
  binaryen.Features.SignExt |
  binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt |
  binaryen.Features.Multivalue;

// binaryen.js has these static setters at runtime; its typings leave them out.
export const setters = binaryen as unknown as {
  Loop: { setBody(loop: Expr, body: Expr): void };
  Function: { setBody(fn: binaryen.FunctionRef, body: Expr): void };
  MemoryGrow: { setDelta(grow: Expr, delta: Expr): void };
};

/** Thrown when a rewrite cannot handle its input (not wasm, outside the profile, applied twice). */
export class RewriteError extends Error {
  override name = 'RewriteError';
}

/** Facts about the input, after making sure it is wasm V8 accepts, with a clear error otherwise. */
export function checkRewriteInput(wasm: Uint8Array, who: string): WasmFacts {
  let facts: WasmFacts;
  try {
    facts = inspectWasm(wasm);
  } catch (err) {
    throw new RewriteError(`${who}: ${(err as Error).message}`);
  }
  try {
    new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
  } catch (err) {
    throw new RewriteError(`${who}: input is not a valid WebAssembly module: ${(err as Error).message}`);
  }
  return facts;
}

/** Runs `body` on a binaryen module read from `wasm`, always freeing it. */
export function withModule<T>(wasm: Uint8Array, body: (mod: binaryen.Module) => T): T {
  const mod = binaryen.readBinaryWithFeatures(wasm, PROFILE_BINARYEN_FEATURES);
  try {
    return body(mod);
  } finally {
    mod.dispose();
  }
}

/** Emits the rewritten module with the profile's features; a rewrite bug fails here, not on a board. */
export function emitProfileModule(mod: binaryen.Module, who: string): Uint8Array {
  mod.setFeatures(PROFILE_BINARYEN_FEATURES);
  if (!mod.validate()) throw new RewriteError(`${who}: the rewritten module does not validate (input outside the firmware profile, or a bug in ${who})`);
  // binaryen's writer reads process-wide options (Stack IR is generated and optimized by them),
  // which an AssemblyScript compile earlier in the same process leaves set. Fixed here to what an
  // mcu compile leaves, so a rewrite gives the same bytes whether or not the compiler ran first
  // in this process (a compile served from build/asc-cache does not run it).
  binaryen.setOptimizeLevel(4);
  binaryen.setShrinkLevel(2);
  binaryen.setDebugInfo(false);
  binaryen.setLowMemoryUnused(true);
  binaryen.setFastMath(true);
  binaryen.setGenerateStackIR(true);
  binaryen.setOptimizeStackIR(true);
  binaryen.setClosedWorld(true);
  return mod.emitBinary();
}

export interface DefinedFunction {
  ref: binaryen.FunctionRef;
  name: string;
  body: Expr;
}

/** Functions with bodies, in index order (imports have none). */
export function definedFunctions(mod: binaryen.Module): DefinedFunction[] {
  const out: DefinedFunction[] = [];
  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const ref = mod.getFunctionByIndex(i);
    const info = binaryen.getFunctionInfo(ref);
    if (info.base) continue;
    out.push({ ref, name: info.name, body: info.body });
  }
  return out;
}

/** `base`, or `base_N` if a global of that internal name exists already. */
export function freshGlobalName(mod: binaryen.Module, base: string): string {
  let name = base;
  for (let n = 1; mod.getGlobal(name); n++) name = `${base}_${n}`;
  return name;
}

/** `base`, or `base_N` if a function of that internal name exists already. */
export function freshFunctionName(mod: binaryen.Module, base: string): string {
  let name = base;
  for (let n = 1; mod.getFunction(name); n++) name = `${base}_${n}`;
  return name;
}

const SCALAR_TYPES = new Set<number>([binaryen.none, binaryen.unreachable, binaryen.i32, binaryen.i64, binaryen.f32, binaryen.f64]);

// getExpressionInfo throws for kinds binaryen.js has no wrapper for (nop, unreachable, ...).
const LEAVES = new Set<number>([
  binaryen.NopId, binaryen.UnreachableId, binaryen.LocalGetId, binaryen.GlobalGetId, binaryen.ConstId,
  binaryen.MemorySizeId, binaryen.DataDropId,
]);

// Readable names for refusals: binaryen exports `SIMDExtractId` etc.
const KIND_NAMES = new Map<number, string>(
  Object.entries(binaryen)
    .filter(([k, v]) => k.endsWith('Id') && typeof v === 'number')
    .map(([k, v]) => [v as number, k.slice(0, -2)]),
);

/** Child expressions; anything outside the profile's instruction set is refused by name. */
export function children(expr: Expr, fnName: string): Expr[] {
  const id = binaryen.getExpressionId(expr);
  const type = binaryen.getExpressionType(expr);
  if (!SCALAR_TYPES.has(type) && !binaryen.expandType(type).every((t) => SCALAR_TYPES.has(t))) {
    unsupported(expr, fnName, 'a value type outside i32/i64/f32/f64');
  }
  if (LEAVES.has(id)) return [];
  const info = binaryen.getExpressionInfo(expr) as unknown as Record<string, unknown>;
  const refs = (...names: string[]) => names.map((n) => info[n] as Expr).filter((e) => typeof e === 'number' && e !== 0);
  switch (id) {
    case binaryen.BlockId: return [...(info.children as Expr[])];
    case binaryen.IfId: return refs('condition', 'ifTrue', 'ifFalse');
    case binaryen.LoopId: return refs('body');
    case binaryen.BreakId: return refs('value', 'condition');
    case binaryen.SwitchId: return refs('value', 'condition');
    case binaryen.CallId:
      if (info.isReturn) unsupported(expr, fnName, 'a tail call (return_call)');
      return [...(info.operands as Expr[])];
    case binaryen.CallIndirectId:
      if (info.isReturn) unsupported(expr, fnName, 'a tail call (return_call_indirect)');
      return [...(info.operands as Expr[]), ...refs('target')];
    case binaryen.LocalSetId: case binaryen.GlobalSetId: case binaryen.UnaryId: case binaryen.DropId:
    case binaryen.ReturnId:
      return refs('value');
    case binaryen.LoadId:
      if (info.isAtomic) unsupported(expr, fnName, 'an atomic load (threads)');
      return refs('ptr');
    case binaryen.StoreId:
      if (info.isAtomic) unsupported(expr, fnName, 'an atomic store (threads)');
      return refs('ptr', 'value');
    case binaryen.BinaryId: return refs('left', 'right');
    case binaryen.SelectId: return refs('ifTrue', 'ifFalse', 'condition');
    case binaryen.MemoryGrowId: return refs('delta');
    case binaryen.MemoryInitId: return refs('dest', 'offset', 'size');
    case binaryen.MemoryCopyId: return refs('dest', 'source', 'size');
    case binaryen.MemoryFillId: return refs('dest', 'value', 'size');
    case binaryen.TupleMakeId: return [...(info.operands as Expr[])];
    case binaryen.TupleExtractId: return refs('tuple');
    default: return unsupported(expr, fnName, `${KIND_NAMES.get(id) ?? 'an unknown kind of'} expression (kind ${id})`);
  }
}

/** Every expression of a function body, parents before children; iterative so deep trees cannot exhaust the JS stack. */
export function* expressions(fn: DefinedFunction): Generator<Expr> {
  const stack: Expr[] = [fn.body];
  while (stack.length > 0) {
    const expr = stack.pop()!;
    yield expr;
    stack.push(...children(expr, fn.name).reverse());
  }
}

function unsupported(expr: Expr, fnName: string, what: string): never {
  const text = binaryen.emitText(expr).split('\n')[0].slice(0, 80);
  throw new RewriteError(`function ${fnName} uses ${what}, outside the firmware profile (docs/abi.md): ${text}`);
}
