// Exposes the callers table (firmware/kernel/callers.ts) to test/callers.test.ts through WASM.
import "../../firmware/hal/hal";
export { callersNote, callersDecay, callersClear, callersCount, callerId, callerWeight } from "../../firmware/kernel/callers";
