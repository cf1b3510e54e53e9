// Loopback port helpers for the local scripts, tests and the benchmark.

import { connect, createServer } from 'node:net';

/** A loopback TCP port that was free a moment ago (nothing listens on it now). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port was assigned');
  return address.port;
}

/** True once something accepts connections on the loopback port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** Why the loopback port cannot be listened on (`EADDRINUSE`, `EACCES`, …), or undefined when it can. */
export async function bindError(port: number): Promise<string | undefined> {
  const server = createServer();
  const failure = await new Promise<string | undefined>((done) => {
    server.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
    server.listen(port, '127.0.0.1', () => done(undefined));
  });
  if (failure === undefined) await new Promise<void>((done) => server.close(() => done()));
  return failure;
}

/** True when `host:port` accepts a TCP connection within `timeoutMs`. */
export function answers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
