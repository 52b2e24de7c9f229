// What a cell's handlers import: `import { fail, log } from "../../sdk/cell";`.
// AssemblyScript has no exceptions, so a handler reports an error by calling fail() and
// returning any value; the generated dispatcher sees the failure and replies ERROR [7, message].
import { halLog } from "../hal/hal";
import { LOG_INFO } from "../protocol/table";

// A handler picks a level by name: log(text, LOG_WARN).
export { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } from "../protocol/table";

let failed: bool = false;
let failure: string = "";

/**
 * Ends this call with ERROR [7 CELL_ERROR, message]. Return right after it: the handler's
 * return value is discarded. The first fail() of a call wins, since it names the cause.
 */
export function fail(message: string): void {
  if (failed) return;
  failed = true;
  failure = message;
}

/** Writes one line to the host's log (level 0 debug .. 3 error). */
export function log(message: string, level: i32 = LOG_INFO): void {
  const utf8 = String.UTF8.encode(message);
  halLog(level, changetype<usize>(utf8), utf8.byteLength);
}

// ---- for the generated dispatcher (firmware/sdk/dispatch.ts) ----

/** Whether the handler that just ran called fail(). */
export function callFailed(): bool {
  return failed;
}

/** The message given to the first fail() of this call. */
export function failureMessage(): string {
  return failure;
}

/** Forgets the previous call's failure; the dispatcher calls it before each handler. */
export function clearFailure(): void {
  failed = false;
  failure = "";
}
