// The host header codec (host/wire/header.ts): checkFrame and decodeHeader must agree on every
// input, and a frame they accept must re-encode to exactly its own bytes.
import { checkFrame, decodeHeader, encodeFrame, HeaderError, HeaderReject, HEADER_BYTES } from '../../host/wire/header.ts';
import { InvariantViolation, type FuzzTarget } from '../fuzz-target.ts';
import { validFrames } from '../valid-frames.ts';

export function headerTarget(): FuzzTarget {
  return {
    name: 'header',
    what: 'host header codec: checkFrame, decodeHeader, encodeFrame (host/wire/header.ts)',
    examples: validFrames(),
    maxRandomBytes: 64,
    run(input) {
      const reason = checkFrame(input);
      let decoded: ReturnType<typeof decodeHeader> | undefined;
      try {
        decoded = decodeHeader(input);
      } catch (err) {
        if (!(err instanceof HeaderError)) throw err;
        if (err.reason !== reason) throw new InvariantViolation(`decodeHeader rejected with ${HeaderReject[err.reason]}, checkFrame with ${HeaderReject[reason] ?? 'none'}`);
        return HeaderReject[reason]!;
      }
      if (reason !== 0) throw new InvariantViolation(`decodeHeader accepted a frame checkFrame rejects (${HeaderReject[reason]})`);
      const again = encodeFrame(decoded, input.subarray(HEADER_BYTES));
      if (Buffer.compare(again, input) !== 0) throw new InvariantViolation('an accepted frame does not re-encode to its own bytes');
      return 'ok';
    },
  };
}
