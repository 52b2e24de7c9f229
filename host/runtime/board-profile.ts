// Board profiles (boards/<name>.json): what a node of that kind can do. Mitosis reads the
// instruction rate as the node's capacity, on real hosts and in the simulator alike.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../build/paths.ts';

export interface BoardProfile {
  board: string;
  /** Metered wasm instructions per second one core runs. */
  instructionsPerSecond: number;
  note?: string;
}

const BOARDS = join(REPO_ROOT, 'boards');

export async function boardNames(): Promise<string[]> {
  return (await readdir(BOARDS)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

export async function readBoard(name: string): Promise<BoardProfile> {
  let text: string;
  try {
    text = await readFile(join(BOARDS, `${name}.json`), 'utf8');
  } catch {
    throw new Error(`no board profile "${name}"; known boards: ${(await boardNames()).join(', ')}`);
  }
  const p = JSON.parse(text) as Partial<BoardProfile>;
  if (!(typeof p.instructionsPerSecond === 'number' && Number.isFinite(p.instructionsPerSecond) && p.instructionsPerSecond > 0)) {
    throw new Error(`boards/${name}.json: instructionsPerSecond must be a positive number`);
  }
  return { board: p.board ?? name, instructionsPerSecond: p.instructionsPerSecond, note: p.note };
}
