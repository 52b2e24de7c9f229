// The instruction meter: rewrites a firmware .wasm so it pays for its own instructions out of an
// exported mutable i32 global `cell_fuel`, trapping (`unreachable`) the moment it goes negative.
// Boards, hosts and the simulator all read the same counter, so this rewrite must be a pure
// function of the input bytes: no optimisation passes, no global binaryen settings touched.
//
// Cost model. Charges sit at every function entry and at the top of every loop body. A charge is
// the static cost of its region: the function body (resp. loop body) with nested loop bodies cut
// out, each of which is its own region. Within one pass through a region (from its top until it
// branches back to a loop, returns, traps or falls off the end) each node runs at most once,
// because the only backward edges in wasm are branches to a loop, and those re-enter a region
// top that charges again. Summing the binary instructions of every node in the region therefore
// never undercounts what the pass executes; it overcounts the branches not taken. Structured
// nodes count their `end` (and `else`), so the bound holds for wasm3's and V8's instruction
// streams alike. The meter's own charge sequence is not counted: fuel is the program's work.
import binaryen from 'binaryen';
import {
  checkRewriteInput, children, definedFunctions, emitProfileModule, freshGlobalName, RewriteError, setters, withModule,
  type DefinedFunction, type Expr,
} from './wasm-ir.ts';
import { FUEL_EXPORT } from './cell-globals.ts';

/**
 * Fuel the global starts with, so a module's start function (AssemblyScript top-level code) can
 * run at instantiation; the host overwrites it before every call.
 */
export const START_FUEL = 1_000_000;

export interface MeterOptions {
  /** Initial value of `cell_fuel` (what the start function may spend). Default START_FUEL. */
  startFuel?: number;
}

export interface FunctionCost {
  name: string;
  /** Charged at every entry. */
  entry: number;
  /** Charged at every iteration of each loop, in the order the loops appear in the body. */
  loops: number[];
}

/** Returns the metered module: same behaviour, plus the `cell_fuel` global and its charges. */
export function instrumentFuel(wasm: Uint8Array, opts: MeterOptions = {}): Uint8Array {
  const startFuel = opts.startFuel ?? START_FUEL;
  if (!Number.isInteger(startFuel) || startFuel < 0 || startFuel > 0x7fffffff) {
    throw new RewriteError(`instrumentFuel: startFuel must be an integer in 0..2^31-1, got ${startFuel}`);
  }
  const facts = checkRewriteInput(wasm, 'instrumentFuel');
  if (facts.exports.some((e) => e.name === FUEL_EXPORT)) {
    throw new RewriteError(`instrumentFuel: the module already exports "${FUEL_EXPORT}" (metered twice?)`);
  }
  return withModule(wasm, (mod) => {
    const fuel = freshGlobalName(mod, FUEL_EXPORT);
    mod.addGlobal(fuel, binaryen.i32, true, mod.i32.const(startFuel));
    mod.addGlobalExport(fuel, FUEL_EXPORT);
    for (const fn of definedFunctions(mod)) {
      const { entry, loops } = regions(fn);
      for (const loop of loops) {
        const body = (binaryen.getExpressionInfo(loop.expr) as binaryen.LoopInfo).body;
        setters.Loop.setBody(loop.expr, charged(mod, fuel, loop.cost, body));
      }
      setters.Function.setBody(fn.ref, charged(mod, fuel, entry, fn.body));
    }
    return emitProfileModule(mod, 'instrumentFuel');
  });
}

/** The static charges instrumentFuel would insert, per defined function; for tests and tooling. */
export function meterCosts(wasm: Uint8Array): FunctionCost[] {
  checkRewriteInput(wasm, 'meterCosts');
  return withModule(wasm, (mod) =>
    definedFunctions(mod).map((fn) => {
      const r = regions(fn);
      return { name: fn.name, entry: r.entry, loops: r.loops.map((l) => l.cost) };
    }),
  );
}

/** `fuel -= cost; if (fuel < 0) unreachable;` followed by the original body, same type. */
function charged(mod: binaryen.Module, fuel: string, cost: number, body: Expr): Expr {
  const charge = mod.global.set(fuel, mod.i32.sub(mod.global.get(fuel, binaryen.i32), mod.i32.const(cost)));
  const check = mod.if(mod.i32.lt_s(mod.global.get(fuel, binaryen.i32), mod.i32.const(0)), mod.unreachable());
  return mod.block(null, [charge, check, body], binaryen.auto);
}

/** Costs of a function's entry region and of each loop region (see the cost model above). */
function regions(fn: DefinedFunction): { entry: number; loops: Array<{ expr: Expr; cost: number }> } {
  const costs = [0];
  const loops: Array<{ expr: Expr; cost: number }> = [];
  const loopRegion: number[] = [];
  // Iterative pre-order walk (children pushed reversed, so loops are found in source order):
  // long expression chains must not exhaust the JS stack.
  const stack: Array<[Expr, number]> = [[fn.body, 0]];
  while (stack.length > 0) {
    const [expr, region] = stack.pop()!;
    costs[region] += nodeCost(expr);
    const kids = children(expr, fn.name);
    if (binaryen.getExpressionId(expr) === binaryen.LoopId) {
      const inner = costs.push(0) - 1;
      loops.push({ expr, cost: 0 });
      loopRegion.push(inner);
      for (const kid of kids.reverse()) stack.push([kid, inner]);
    } else {
      for (const kid of kids.reverse()) stack.push([kid, region]);
    }
  }
  loops.forEach((l, i) => (l.cost = costs[loopRegion[i]]));
  for (const cost of costs) {
    if (cost > 0x7fffffff) throw new RewriteError(`instrumentFuel: a region of function ${fn.name} costs ${cost}, more than an i32 can charge`);
  }
  return { entry: costs[0], loops };
}

/** Binary instructions one execution of this node (not its children) can take. */
function nodeCost(expr: Expr): number {
  const id = binaryen.getExpressionId(expr);
  if (id === binaryen.BlockId || id === binaryen.LoopId) return 2; // block/loop + end
  if (id === binaryen.IfId) return (binaryen.getExpressionInfo(expr) as binaryen.IfInfo).ifFalse ? 3 : 2; // if (+ else) + end
  if (id === binaryen.TupleExtractId) {
    // Binaryen lowers tuple.extract through scratch locals: a set and a get per element at most.
    const tuple = (binaryen.getExpressionInfo(expr) as binaryen.TupleExtract).tuple;
    return 1 + 2 * binaryen.expandType(binaryen.getExpressionType(tuple)).length;
  }
  return 1;
}
