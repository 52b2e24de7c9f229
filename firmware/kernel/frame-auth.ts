// Who sent the frame being handled: the session its trailer verified in, or -1 (a local frame,
// or an unauthenticated one in open mode). Set by frame-in for the length of one frame.
export let frameSession: i32 = -1;

export function setFrameSession(s: i32): void { frameSession = s; }
