// CALL payloads into each example cell (build/cells/*.wasm) through the host's CellInstance, with
// the limits a node gives a cell: any payload gets a REPLY whose bytes are CBOR or an ERROR
// [code, message] with a known code, and the cell still works afterwards (a sentinel call).
import { CellInstance } from '../../host/runtime/cell-instance.ts';
import { ErrorCode } from '../../host/wire/error-codes.ts';
import { decodeCbor, encodeCbor } from '../../host/wire/cbor.ts';
import { MCU_PAGES } from '../../host/wire/protocol-table.ts';
import type { CellSchema } from '../../host/sdk/schema.ts';
import { Rng } from '../../simulator/rng.ts';
import { InvariantViolation, type FuzzTarget } from '../fuzz-target.ts';

/** Fuel per call, as a host node gives it (host/runtime/cell-node.ts). */
const FUEL_PER_CALL = 10_000_000;
/** Every this many inputs, a known call must give its known answer. */
const SENTINEL_EVERY = 1000;

function argFor(type: unknown, rng: Rng): unknown {
  switch (type) {
    case 'string': return `s${rng.int(1000)}`.repeat(1 + rng.int(4));
    case 'bytes': return Uint8Array.from({ length: rng.int(48) }, () => rng.int(256));
    case 'u64': return rng.int(1000);
    case 'bool': return rng.next() < 0.5;
    case 'f64': return rng.next() * 100;
    default: return rng.int(1000) - 500; // i32 and the other integers
  }
}

/** A well-formed call: any method (sometimes one past the last), arguments of the declared types (sometimes one short or over). */
function randomCall(schema: CellSchema, rng: Rng): Uint8Array {
  const index = rng.int(schema.methods.length + 1);
  const params = schema.methods[index]?.params ?? [];
  const args = params.map((p) => argFor(p.type, rng));
  const r = rng.int(20);
  if (r === 0) args.pop();
  else if (r === 1) args.push(argFor('i32', rng));
  return encodeCbor([index, ...args]);
}

/** Well-formed calls of every method with arguments of the declared types. */
function validCalls(schema: CellSchema, seed: number): Uint8Array[] {
  const rng = new Rng(seed, 0xca11);
  const out: Uint8Array[] = [];
  schema.methods.forEach((m, index) => {
    for (let k = 0; k < 3; k++) out.push(encodeCbor([index, ...m.params.map((p) => argFor(p.type, rng))]));
  });
  return out;
}

/** A call with a known answer, per example cell; null when the cell has none we can state. */
function sentinel(name: string, schema: CellSchema, i: number): Array<{ call: Uint8Array; expect?: unknown }> | null {
  const idx = (m: string) => schema.methods.findIndex((x) => x.name === m);
  if (name === 'echo' && idx('echo') >= 0) return [{ call: encodeCbor([idx('echo'), `sentinel ${i}`]), expect: `sentinel ${i}` }];
  if (name === 'kv' && idx('put') >= 0 && idx('get') >= 0) {
    return [{ call: encodeCbor([idx('put'), 'fuzz-sentinel', `v${i}`]) }, { call: encodeCbor([idx('get'), 'fuzz-sentinel']), expect: `v${i}` }];
  }
  return null;
}

export async function cellTarget(name: string, wasm: Uint8Array, schema: CellSchema, seed: number): Promise<FuzzTarget> {
  const cell = await CellInstance.load(wasm, { maxPages: MCU_PAGES, fuelPerCall: FUEL_PER_CALL });
  const examples = validCalls(schema, seed);
  let inputs = 0;

  function answer(payload: Uint8Array): { kind: 'reply' | 'error'; value: unknown } {
    const r = cell.call(payload);
    let value: unknown;
    try {
      value = decodeCbor(r.bytes);
    } catch (err) {
      throw new InvariantViolation(`the cell's ${r.kind} is not CBOR: ${(err as Error).message}`);
    }
    if (r.kind === 'error') {
      if (!Array.isArray(value) || value.length !== 2 || typeof value[1] !== 'string' || ErrorCode[value[0] as number] === undefined) {
        throw new InvariantViolation(`an ERROR payload is not [known code, message]: ${JSON.stringify(value)?.slice(0, 80)}`);
      }
    }
    return { kind: r.kind, value };
  }

  return {
    name: `cell:${name}`,
    what: `CALL payloads into the ${name} cell (build/cells/${name}.wasm via host/runtime/cell-instance.ts)`,
    examples,
    maxRandomBytes: 64,
    generate: (rng) => randomCall(schema, rng),
    run(input) {
      const a = answer(input);
      if (++inputs % SENTINEL_EVERY === 0) {
        const calls = sentinel(name, schema, inputs) ?? [];
        const answers = calls.map((c) => answer(c.call));
        // A put refused (the store full of fuzzed keys) leaves nothing to check.
        const ready = answers.slice(0, -1).every((x) => x.kind === 'reply');
        const last = answers[answers.length - 1];
        const expect = calls[calls.length - 1]?.expect;
        if (last && ready && (last.kind !== 'reply' || last.value !== expect)) {
          throw new InvariantViolation(`sentinel call answered ${last.kind} ${JSON.stringify(last.value)}, expected ${JSON.stringify(expect)}`);
        }
      }
      return a.kind === 'reply' ? 'reply' : `error ${ErrorCode[(a.value as [number])[0]]}`;
    },
  };
}
