import net from 'node:net';

/** Ports handed out by this process: the kernel may hand a just-closed port out again, to the next caller. */
const given = new Set<number>();

function bindZero(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A free loopback port, never one this process was given before (two servers asked in a row get two ports). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await bindZero();
    if (!given.has(port)) {
      given.add(port);
      return port;
    }
  }
}
