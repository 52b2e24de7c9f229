// What calls cost in metered instructions (the CPU that mitosis counts), for the example cells,
// each beside the same method with the smallest argument (its fixed cost) from the same run.
import { readFile } from 'node:fs/promises';
import { CellInstance } from '../host/runtime/cell-instance.ts';
import { encodeCall } from '../host/sdk/call-codec.ts';
import { validateSchema } from '../host/sdk/schema.ts';
import { REPO_ROOT } from '../host/build/paths.ts';

export interface CellCost {
  call: string;
  instructions: number;
  baseline: { call: string; instructions: number };
}

async function load(name: string) {
  const wasm = new Uint8Array(await readFile(`${REPO_ROOT}/build/cells/${name}.wasm`));
  const schema = validateSchema(JSON.parse(await readFile(`${REPO_ROOT}/build/cells/${name}.schema.json`, 'utf8')).schema);
  return { schema, cell: await CellInstance.load(wasm, { maxPages: 1, fuelPerCall: 100_000_000 }) };
}

/** Metered instructions of one call, after a first one has warmed the cell's heap. */
function cost(cell: CellInstance, payload: Uint8Array): number {
  cell.call(payload);
  return cell.call(payload).fuelUsed;
}

export async function benchCellCost(): Promise<CellCost[]> {
  const echo = await load('echo');
  const ex = await load('exchange');
  const out: CellCost[] = [];
  const echoOf = (n: number) => cost(echo.cell, encodeCall(echo.schema, 'echo', ['x'.repeat(n)]));
  const empty = { call: 'echo("")', instructions: echoOf(0) };
  for (const n of [1, 60, 600]) out.push({ call: `echo(${n} chars)`, instructions: echoOf(n), baseline: empty });
  const order = (symbol: string) => {
    const c = ex.cell.call(encodeCall(ex.schema, 'place_order', [symbol, 5])).fuelUsed;
    ex.cell.call(encodeCall(ex.schema, 'cancel', [1n])); // keep the book from filling
    return c;
  };
  order('B');
  out.push({ call: 'exchange.place_order("BTC", 5)', instructions: order('BTC'), baseline: { call: 'exchange.place_order("B", 5)', instructions: order('B') } });
  return out;
}
