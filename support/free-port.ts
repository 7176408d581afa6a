import { createServer } from 'node:net';

/** A free loopback port, for programs that cannot listen on port 0 and say which port they got (nginx, postgres). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
