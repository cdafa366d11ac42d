/** The HTTP server's settings (every role): where it listens, request limits, logs and metrics. */
import { parseCidrList } from '../config/cidr.ts';
import { bool, field, integer, oneOf, type SettingsOf, text } from '../config/setting-fields.ts';

export const serverSettings = {
  port: field({
    env: 'SIGHTLINE_PORT',
    default: '8080',
    description: 'TCP port of the HTTP server (collector, APIs, dashboard).',
    parse: integer(0, 65535),
  }),
  host: field({
    env: 'SIGHTLINE_HOST',
    default: '0.0.0.0',
    description: 'Address to listen on; `127.0.0.1` keeps it local.',
    parse: text,
  }),
  trustProxy: field({
    env: 'SIGHTLINE_TRUST_PROXY',
    default: '',
    description:
      'Comma-separated CIDRs of proxies whose `X-Forwarded-For` is believed (e.g. `127.0.0.1/32,10.0.0.0/8`).',
    parse: parseCidrList,
  }),
  bodyLimitBytes: field({
    env: 'SIGHTLINE_BODY_LIMIT_BYTES',
    default: '1048576',
    description: 'Largest accepted ingestion request body, in bytes (larger → `413`).',
    parse: integer(1024, 256 * 1024 * 1024),
  }),
  logLevel: field({
    env: 'SIGHTLINE_LOG_LEVEL',
    default: 'info',
    description: 'Log level of the logs on stdout: `fatal`, `error`, `warn`, `info`, `debug`, `trace`.',
    parse: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
  }),
  logFormat: field({
    env: 'SIGHTLINE_LOG_FORMAT',
    default: 'auto',
    description:
      'Log lines on stdout: `auto` (readable lines — time, level, message, key=value — when stdout is a terminal, one JSON object per line otherwise), `json` or `pretty` (either one always).',
    parse: oneOf(['auto', 'json', 'pretty'] as const),
  }),
  shutdownTimeoutMs: field({
    env: 'SIGHTLINE_SHUTDOWN_TIMEOUT_MS',
    default: '30000',
    description:
      'On SIGTERM/SIGINT: how long to wait for in-flight requests and the last batch before exiting.',
    parse: integer(0, 600_000),
  }),
  metricsEnabled: field({
    env: 'SIGHTLINE_METRICS',
    default: 'true',
    description: 'Serve Prometheus metrics at `/metrics`.',
    parse: bool,
  }),
};

export type ServerConfig = SettingsOf<typeof serverSettings>;
