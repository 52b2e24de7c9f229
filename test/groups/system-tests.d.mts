/** Test file (from the repository root) -> why it needs a process, socket, worker or browser. */
export declare const SYSTEM_TESTS: Record<string, string>;
