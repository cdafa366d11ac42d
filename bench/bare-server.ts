/**
 * The baseline: a bare `node:http` server that reads the request body and answers `202 {"accepted":1}`,
 * nothing else (no parsing, no validation, no disk). `GET /ready` answers 200 so the harness can poll it
 * like the real server.
 *
 * Port: `--port N`, else `SIGHTLINE_PORT`, else 0 (any free port). Prints `listening <port>` on stdout.
 */
import http from 'node:http';

function portFromArgs(argv: string[]): number {
  const i = argv.indexOf('--port');
  const raw = i >= 0 ? argv[i + 1] : process.env.SIGHTLINE_PORT;
  const port = Number(raw ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bare-server: bad port "${raw}"`);
  return port;
}

const accepted = Buffer.from('{"accepted":1}');
const ok = Buffer.from('ok');

const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  if (req.method === 'GET' && req.url === '/ready') {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': ok.length });
    res.end(ok);
    return;
  }
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(202, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': accepted.length,
    });
    res.end(accepted);
  });
});

const host = process.env.SIGHTLINE_HOST ?? '127.0.0.1';
server.listen(portFromArgs(process.argv.slice(2)), host, () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`listening ${address.port}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
