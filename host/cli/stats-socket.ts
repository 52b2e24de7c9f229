// The control socket through which `cell stats` reads a running `cell run` node: a Unix domain
// socket (a named pipe on Windows) in ~/.cell/run, made readable by its owner only, so the
// counters never reach the network and other local users cannot read them. A client connects,
// the node writes its stats as one JSON document and closes; nothing can be sent to the node.
import net from 'node:net';
import { mkdir, unlink, chmod } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the node serving UDP `port` listens for `cell stats`, unless --control says otherwise. */
export function defaultControlPath(port: number): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\cell-node-${port}`;
  return join(homedir(), '.cell', 'run', `node-${port}.sock`);
}

function listen(server: net.Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** True if a live server answers at `path` (a socket file left by a killed node does not). */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** Serves `snapshot()` as JSON at `path` until close(). */
export async function serveStats(path: string, snapshot: () => unknown): Promise<{ path: string; close(): Promise<void> }> {
  const server = net.createServer((conn) => {
    conn.on('error', () => {}); // a client that hangs up early is no concern of the node's
    conn.end(`${JSON.stringify(snapshot())}\n`);
  });
  if (process.platform !== 'win32') await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
  try {
    await listen(server, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || (await answers(path))) throw err;
    // The socket file of a node that was killed: nobody answers there, so it is ours to replace.
    await unlink(path);
    await listen(server, path);
  }
  if (process.platform !== 'win32') await chmod(path, 0o600);
  // Listening, the server reports errors as events: without a listener one would end the node.
  server.on('error', () => {});
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}

/** Reads one stats document from the node at `path`. */
export function readStats(path: string, timeoutMs = 3000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const c = net.connect(path);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      c.destroy();
      reject(new Error(`no answer from the node at ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    c.on('data', (d: Buffer) => chunks.push(d));
    c.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? 'no node is serving stats there (is `cell run` running on that port?)' : err.message;
      reject(new Error(`cannot read stats from ${path}: ${why}`));
    });
    c.once('end', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        reject(new Error(`the node at ${path} sent stats that are not JSON: ${(err as Error).message}`));
      }
    });
  });
}
