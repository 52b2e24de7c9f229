// The install protocol's replies (host/board/install-frames.ts): what `cell flash` reads from a
// board's serial link, where a wrong board or line noise can put anything. Any input is refused
// with an InstallFrameError or decodes to a reply that encodes and decodes back to itself.
import { decodeReply, encodeReply, InstallFrameError } from '../../host/board/install-frames.ts';
import { isDeepStrictEqual } from 'node:util';
import { InvariantViolation, type FuzzTarget } from '../fuzz-target.ts';

export function installReplyTarget(): FuzzTarget {
  const hash = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
  const examples = [
    encodeReply({ op: 'begin', status: 'ok', slotBytes: 200 * 1024 }),
    encodeReply({ op: 'chunk', status: 'badOffset', received: 4096 }),
    encodeReply({ op: 'commit', status: 'hashMismatch', sha256: hash }),
    encodeReply({ op: 'info', status: 'ok', info: { node: 0x05f50d5f, freeRam: 718_752, storeBytes: 1 << 20, slotBytes: 200 * 1024, kernelRunning: true } }),
    encodeReply({ op: 'list', status: 'ok', modules: [{ slot: 0, species: 0, size: 32_742, sha256: hash }, { slot: 1, species: 0x67ced2b5, size: 13_373, sha256: hash }] }),
    encodeReply({ op: 'reboot', status: 'ok' }),
  ];
  return {
    name: 'install-reply',
    what: 'install protocol replies from a board (host/board/install-frames.ts)',
    examples,
    maxRandomBytes: 120,
    run(input) {
      let reply;
      try {
        reply = decodeReply(input);
      } catch (err) {
        if (!(err instanceof InstallFrameError)) throw err;
        return 'refused';
      }
      if (!isDeepStrictEqual(decodeReply(encodeReply(reply)), reply)) throw new InvariantViolation('an accepted reply does not survive encode and decode');
      return `ok ${reply.op}`;
    },
  };
}
