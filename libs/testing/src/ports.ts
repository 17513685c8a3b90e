import { createServer } from 'node:net';

/**
 * A port on 127.0.0.1 that nothing listens on now: the OS picks one for a listen(0) probe, which
 * then closes. For a server a test starts later, or for a connection that must be refused.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
