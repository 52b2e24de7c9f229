// exchange: a bounded order book kept in the node's cell store (sdk/store), so acknowledged orders
// survive a crash and restart of the node, and order ids are never reissued: the next id is stored
// in the same commit as the order it numbers.
//
// Store records: "n" -> next id (u64 LE); "o" + id (u64 big-endian, so keys sort by id) ->
// amount (u64 LE) then the symbol's UTF-8 bytes.
import { fail } from "../../sdk/cell";
import { storeGet, storePut, storeDelete, storeNext } from "../../sdk/store";

const MAX_ORDERS: i32 = 64;
const MAX_SYMBOL: i32 = 12;
/**
 * book() answers in one frame: its reply must fit out_bytes (cell.toml), which is the kernel's
 * largest payload (2,028 bytes). place_order refuses an order that would make a book larger.
 */
const BOOK_BYTES: i32 = 2028;
const ORDER_TAG: u8 = 0x6f; // "o"
const NEXT_ID_TAG: u8 = 0x6e; // "n"

/** One resting order, as book() returns it. */
export class Order {
  id: u64 = 0;
  symbol: string = "";
  amount: u64 = 0;
}

function nextIdKey(): ArrayBuffer {
  const k = new ArrayBuffer(1);
  store<u8>(changetype<usize>(k), NEXT_ID_TAG);
  return k;
}

function orderKey(id: u64): ArrayBuffer {
  const k = new ArrayBuffer(9);
  store<u8>(changetype<usize>(k), ORDER_TAG);
  store<u64>(changetype<usize>(k), bswap<u64>(id), 1);
  return k;
}

function isOrderKey(k: ArrayBuffer | null): bool {
  return k != null && k.byteLength == 9 && load<u8>(changetype<usize>(k)) == ORDER_TAG;
}

/** The order stored under key `k`. */
function readOrder(k: ArrayBuffer): Order {
  const v = storeGet(k)!;
  const o = new Order();
  o.id = bswap<u64>(load<u64>(changetype<usize>(k), 1));
  o.amount = load<u64>(changetype<usize>(v));
  o.symbol = String.UTF8.decodeUnsafe(changetype<usize>(v) + 8, <usize>(v.byteLength - 8));
  return o;
}

/** The first order key (the smallest key after "o" alone). */
function firstOrderKey(): ArrayBuffer | null {
  const k = new ArrayBuffer(1);
  store<u8>(changetype<usize>(k), ORDER_TAG);
  return storeNext(k);
}

/** Bytes of a CBOR unsigned integer's head carrying `v`. */
function uintBytes(v: u64): i32 {
  return v < 24 ? 1 : v < 0x100 ? 2 : v < 0x10000 ? 3 : v < 0x100000000 ? 5 : 9;
}

/** Bytes one order takes in book()'s reply: a map of three named fields. */
function orderBytes(id: u64, symbolBytes: i32, amount: u64): i32 {
  return 1 + 3 + uintBytes(id) + 7 + uintBytes(<u64>symbolBytes) + symbolBytes + 7 + uintBytes(amount);
}

/** @cell */
export class Exchange {
  /** Places an order; returns its id. */
  place_order(symbol: string, amount: u64): u64 {
    if (symbol.length == 0 || symbol.length > MAX_SYMBOL) {
      fail("symbol must be 1 to " + MAX_SYMBOL.toString() + " characters");
      return 0;
    }
    if (amount == 0) {
      fail("amount must be positive");
      return 0;
    }
    const stored = storeGet(nextIdKey());
    const id: u64 = stored == null ? 1 : load<u64>(changetype<usize>(stored));
    const sym = String.UTF8.encode(symbol);
    let open = 0;
    let bookCount: u64 = 1;
    let bookBytes = orderBytes(id, sym.byteLength, amount);
    for (let k = firstOrderKey(); isOrderKey(k); k = storeNext(k!)) {
      open++;
      const o = readOrder(k!);
      if (o.symbol == symbol) {
        bookCount++;
        bookBytes += orderBytes(o.id, sym.byteLength, o.amount);
      }
    }
    if (open >= MAX_ORDERS) {
      fail("book full: " + MAX_ORDERS.toString() + " open orders");
      return 0;
    }
    if (uintBytes(bookCount) + bookBytes > BOOK_BYTES) {
      fail("book for " + symbol + " full: book() must fit one " + BOOK_BYTES.toString() + "-byte reply");
      return 0;
    }
    const value = new ArrayBuffer(8 + sym.byteLength);
    store<u64>(changetype<usize>(value), amount);
    memory.copy(changetype<usize>(value) + 8, changetype<usize>(sym), <usize>sym.byteLength);
    const next = new ArrayBuffer(8);
    store<u64>(changetype<usize>(next), id + 1);
    if (storePut(orderKey(id), value) != 0 || storePut(nextIdKey(), next) != 0) {
      fail("the node's store refused the order");
      return 0;
    }
    return id;
  }

  /** Cancels order `id`; false if no such order is open. */
  cancel(id: u64): bool {
    return storeDelete(orderKey(id));
  }

  /** The open orders for `symbol`, oldest first. */
  book(symbol: string): Order[] {
    const out = new Array<Order>(0);
    for (let k = firstOrderKey(); isOrderKey(k); k = storeNext(k!)) {
      const o = readOrder(k!);
      if (o.symbol == symbol) out.push(o);
    }
    return out;
  }
}
