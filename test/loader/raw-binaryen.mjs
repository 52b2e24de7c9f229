// Registers a module hook in front of tsx for the test run (package.json ava.nodeArguments, after
// --import=tsx): binaryen's 13 MB index.js is handed to Node as it is on disk. Through tsx's loader
// it costs a test process about 25 s of CPU (a source map is attached and the module compiled with
// it); loaded raw it takes under 2 s. It is plain JavaScript: there is nothing for tsx to do.
import { register } from 'node:module';

register('./raw-binaryen-hooks.mjs', import.meta.url);
