// The hook of raw-binaryen.mjs. Hooks registered later run first, so this sees the load before tsx.
import { readFile } from 'node:fs/promises';

const RAW = /\/node_modules\/binaryen\/index\.js$/;

export async function load(url, context, nextLoad) {
  if (RAW.test(url)) return { format: 'module', source: await readFile(new URL(url)), shortCircuit: true };
  return nextLoad(url, context);
}
