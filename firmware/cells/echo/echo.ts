// echo: returns its arguments, one handler per value shape, so a new transport or host can be
// checked end to end against a cell whose answers are known.
import { fail, log } from "../../sdk/cell";

/** @cell */
export class Echo {
  private calls: u32 = 0;

  /** The text, unchanged. */
  echo(text: string): string {
    this.calls++;
    return text;
  }

  add(a: i32, b: i32): i32 {
    this.calls++;
    return a + b;
  }

  /** The bytes reversed, so a test can tell a round trip from a copy. */
  reverse(data: Uint8Array): Uint8Array {
    this.calls++;
    const out = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = data[data.length - 1 - i];
    return out;
  }

  /** Fails on purpose with the given message: the ERROR [7, message] path. */
  refuse(message: string): void {
    log("refusing: " + message);
    fail(message);
  }

  /** Handled calls since the cell started. */
  count(): u32 {
    return this.calls;
  }
}
