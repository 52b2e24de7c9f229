// The flash-fit check of `cell flash` (host/board/build-qemu.ts): an image must fit the board's
// flash less the 1 MiB module store and the 256 KiB cell store.
import test from 'ava';
import { CELL_STORE_BYTES, flashFitError, STORE_BYTES } from '../host/board/build-qemu.ts';

test('an image fits the flash left beside the store, not a byte more', (t) => {
  const flash = 4 * 1024 * 1024;
  t.is(flashFitError(flash - STORE_BYTES - CELL_STORE_BYTES, flash), null);
  t.is(flashFitError(116_444, flash), null);
  t.regex(flashFitError(flash - STORE_BYTES - CELL_STORE_BYTES + 1, flash)!, /image is too large for the board's flash: 2883585 bytes, 2883584 available beside the 1 MiB module store and the 256 KiB cell store \(1 over\)/);
  t.regex(flashFitError(200_000, 1024 * 1024)!, /too large/, 'a board whose flash is all store has no room for an image');
});
