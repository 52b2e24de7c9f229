// exchange: a bounded in-memory order book. Orders live on the heap, at most MAX_ORDERS of them,
// so the cell's memory use has a ceiling that fits its one page.
import { fail } from "../../sdk/cell";

const MAX_ORDERS: i32 = 64;
const MAX_SYMBOL: i32 = 12;

/** One resting order, as book() returns it. */
export class Order {
  id: u64 = 0;
  symbol: string = "";
  amount: u64 = 0;
}

/** @cell */
export class Exchange {
  private orders: Order[] = [];
  private nextId: u64 = 1;

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
    if (this.orders.length >= MAX_ORDERS) {
      fail("book full: " + MAX_ORDERS.toString() + " open orders");
      return 0;
    }
    const order = new Order();
    order.id = this.nextId++;
    order.symbol = symbol;
    order.amount = amount;
    this.orders.push(order);
    return order.id;
  }

  /** Cancels order `id`; false if no such order is open. */
  cancel(id: u64): bool {
    for (let i = 0; i < this.orders.length; i++) {
      if (this.orders[i].id == id) {
        this.orders.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  /** The open orders for `symbol`, oldest first. */
  book(symbol: string): Order[] {
    const out = new Array<Order>(0);
    for (let i = 0; i < this.orders.length; i++) {
      if (this.orders[i].symbol == symbol) out.push(this.orders[i]);
    }
    return out;
  }
}
