import test from 'ava';
import { join } from 'node:path';
import { REPO_ROOT } from '../host/build/paths.ts';
import { argsFromJson, CallCodecError, decodeError, decodeReply, encodeCall } from '../host/sdk/call-codec.ts';
import { parseCell } from '../host/sdk/parse-cell.ts';
import { decodeCbor, encodeCbor } from '../host/wire/cbor.ts';
import { ErrorCode } from '../host/wire/error-codes.ts';

const exchange = parseCell(join(REPO_ROOT, 'firmware/cells/exchange/exchange.ts'), { name: 'exchange' }).schema;
const types = parseCell(join(REPO_ROOT, 'test/fixtures/cells/types/types.ts'), { name: 'types' }).schema;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('encodeCall: [index, ...args], 64-bit ints in shortest form', (t) => {
  t.deepEqual(decodeCbor(encodeCall(exchange, 'place_order', ['BTC', 5n])), [0, 'BTC', 5]);
  t.is(hex(encodeCall(exchange, 'cancel', [7])), '820107');
  t.is(hex(encodeCall(exchange, 'cancel', [7n])), '820107'); // same bytes for a bigint and a number
  t.is(hex(encodeCall(exchange, 'cancel', [2n ** 64n - 1n])), '82011bffffffffffffffff');
  t.deepEqual(decodeCbor(encodeCall(types, 'shape', [{ data: new Uint8Array([1]), tags: [], points: [], name: 'n', id: 1n }])),
    [types.methods.findIndex((m) => m.name === 'shape'), { id: 1, name: 'n', points: [], tags: [], data: Buffer.from([1]) }]);
});

test('encodeCall rejects what the cell would, naming the argument', (t) => {
  const bad = (method: string, args: unknown[], message: RegExp) => t.throws(() => encodeCall(types, method, args), { instanceOf: CallCodecError, message });
  t.throws(() => encodeCall(exchange, 'place_order', [5, 'BTC']), { message: 'exchange.place_order: argument symbol: expected string, got 5' });
  t.throws(() => encodeCall(exchange, 'place_order', ['BTC']), { message: 'exchange.place_order takes 2 arguments (symbol: string, amount: u64), got 1' });
  t.throws(() => encodeCall(exchange, 'nope', []), { message: 'exchange has no method "nope"; its methods are: place_order, cancel, book' });
  bad('u8_', [256], /argument v: expected u8 \(out of range 0\.\.255\), got 256/);
  bad('i32_', [1.5], /expected i32 \(an integer number\), got 1\.5/);
  bad('u64_', [-1n], /expected u64 \(out of range 0\.\.18446744073709551615\), got -1n/);
  bad('u64_', [2 ** 60], /beyond 2\^53: pass a bigint/);
  bad('i64_', ['5'], /expected i64 \(a bigint or an integer number\), got "5"/);
  bad('string_', ['\uD800'], /unpaired surrogate/);
  bad('bytes_', [[1, 2]], /expected bytes \(a Uint8Array\)/);
  bad('maybe', [undefined], /expected string \| null|expected string, got undefined/);
  bad('shape', [{ id: 1 }], /argument v: expected Shape \(missing field name\)/);
  bad('shape', [{ id: 1, name: 'n', points: [{ x: 1, y: 2, label: 3 }], tags: [], data: new Uint8Array() }], /argument v\.points\[0\]\.label: expected string, got 3/);
  bad('shape', [{ id: 1, name: 'n', points: [], tags: [], data: new Uint8Array(), color: 'red' }], /struct Shape has no field color/);
});

test('argsFromJson: by name, in order, or bare; JSON spellings of bigint and bytes', (t) => {
  t.deepEqual(argsFromJson(exchange, 'place_order', { symbol: 'BTC', amount: 5 }), ['BTC', 5]);
  t.deepEqual(argsFromJson(exchange, 'place_order', { amount: '18446744073709551615', symbol: 'BTC' }), ['BTC', 2n ** 64n - 1n]);
  t.deepEqual(argsFromJson(exchange, 'place_order', ['BTC', 5]), ['BTC', 5]);
  t.deepEqual(argsFromJson(exchange, 'book', 'BTC'), ['BTC']);
  t.deepEqual(argsFromJson(types, 'bytes_', '0x01ff'), [Uint8Array.of(1, 255)]);
  t.deepEqual(argsFromJson(types, 'bytes_', [[1, 255]]), [Uint8Array.of(1, 255)]);
  t.deepEqual(argsFromJson(types, 'maybe', {}), [null]);
  t.deepEqual(argsFromJson(types, 'mix', { a: 1, b: 'x', c: 2.5, d: true }), [1, 'x', 2.5, true]);
  // The result feeds encodeCall.
  t.is(hex(encodeCall(exchange, 'cancel', argsFromJson(exchange, 'cancel', { id: '7' }))), '820107');

  t.throws(() => argsFromJson(exchange, 'place_order', { symbol: 'BTC' }), { message: 'exchange.place_order: missing argument amount (u64)' });
  t.throws(() => argsFromJson(exchange, 'place_order', { symbol: 'BTC', amount: 1, price: 2 }), { message: /has no parameter "price"; its parameters are \(symbol: string, amount: u64\)/ });
  t.throws(() => argsFromJson(exchange, 'place_order', 'BTC'), { message: /takes 2 arguments .*: pass a JSON object by name or an array, got "BTC"/ });
  t.throws(() => argsFromJson(exchange, 'place_order', ['BTC']), { message: /takes 2 arguments/ });
  t.throws(() => argsFromJson(exchange, 'cancel', { id: '12abc' }), { message: /expected u64 \(a JSON number or a decimal string\)/ });
  t.throws(() => argsFromJson(types, 'bytes_', 'hello'), { message: /a "0x\.\.\." hex string or an array of byte values/ });
  t.throws(() => argsFromJson(types, 'bytes_', [[1, 256]]), { message: /byte values are integers 0\.\.255/ });
});

test('decodeReply: bigint for 64-bit ints, plain Uint8Array, undefined for void, checked shape', (t) => {
  t.is(decodeReply(exchange, 'place_order', encodeCbor(5)), 5n);
  t.deepEqual(decodeReply(exchange, 'book', encodeCbor([{ id: 1, symbol: 'X', amount: 2n ** 63n }])), [{ id: 1n, symbol: 'X', amount: 2n ** 63n }]);
  const bytes = decodeReply(types, 'bytes_', encodeCbor(Uint8Array.of(1, 2)));
  t.is(Object.getPrototypeOf(bytes), Uint8Array.prototype);
  t.is(decodeReply(types, 'nothing', encodeCbor(null)), undefined);
  t.is(decodeReply(types, 'maybe', encodeCbor(null)), null);
  t.throws(() => decodeReply(exchange, 'cancel', encodeCbor(1)), { message: 'reply from exchange.cancel: expected bool, got 1' });
  t.throws(() => decodeReply(exchange, 'book', encodeCbor([{ id: 1, symbol: 'X' }])), { message: /reply from exchange\.book\[0\]: expected Order \(missing field amount\)/ });
  t.throws(() => decodeReply(types, 'u8_', encodeCbor(300)), { message: /expected u8 \(out of range/ });
  t.throws(() => decodeReply(types, 'u8_', Uint8Array.of(0x1b)), { message: /reply from types\.u8_: not CBOR/ });
});

test('decodeError: code, name and message', (t) => {
  t.deepEqual(decodeError(encodeCbor([ErrorCode.UNKNOWN_METHOD, 'unknown method 9'])), { code: ErrorCode.UNKNOWN_METHOD, name: 'UNKNOWN_METHOD', message: 'unknown method 9' });
  t.deepEqual(decodeError(encodeCbor([42, 'future'])), { code: 42, name: 'ERROR_42', message: 'future' });
  t.throws(() => decodeError(encodeCbor({ code: 2 })), { instanceOf: CallCodecError, message: /ERROR payload must be \[code, message\]/ });
  t.throws(() => decodeError(encodeCbor([-1, 'x'])), { message: /code must be an unsigned integer, got -1/ });
  t.throws(() => decodeError(new Uint8Array(0)), { message: /ERROR payload is not CBOR/ });
});
