/** `sightline cdc` settings: flags, each also an environment variable SIGHTLINE_CDC_* (a flag wins). */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { boolFromText, wholeNumberFromText } from '../../config/text-values.ts';
import { type BinlogPosition, PositionSyntaxError, parsePosition } from './binlog-position.ts';
import { BootstrapError, parseTableName, type TableName } from './bootstrap.ts';
import { type MysqlTarget, MysqlUrlError, parseMysqlUrl } from './mysql-connection.ts';
import {
  BOOLEAN_FLAGS,
  envName,
  INTEGER_FLAGS,
  type IntegerFlag,
  LIST_FLAGS,
  OPTIONS_CHECK,
  STRING_FLAGS,
} from './options-schema.ts';
import { FilterSyntaxError, TableFilter } from './table-filter.ts';

export const CDC_HELP = `Usage: sightline cdc --mysql mysql://USER@HOST:PORT --url https://SIGHTLINE --project NAME [options]
       sightline cdc --mysql mysql://USER@HOST:PORT --kafka BROKER:9092 --project NAME [options]

Reads a MySQL or MariaDB binary log as a replica and sends every committed row change, as Maxwell's JSON, to a
central Sightline (POST /cdc → the db_changes table) or straight to its Kafka topic \`cdc\` (scale-out). Runs next
to the database (or anywhere that reaches it), keeps its position in a state folder and resumes exactly there after
a restart or a lost connection.

The database needs binlog_format=ROW, binlog_row_image=FULL, a server_id, and a user with
REPLICATION SLAVE, REPLICATION CLIENT and SELECT (docs/cdc.md has the my.cnf lines and the GRANT).

Connection (required):
  --mysql URL            The database: mysql://USER@HOST[:PORT] (port 3306 by default).   SIGHTLINE_CDC_MYSQL
                         Password: SIGHTLINE_CDC_MYSQL_PASSWORD (kept out of ps and shell history).
  --url URL              Base URL of the central Sightline, e.g. https://sightline.example.com.  SIGHTLINE_CDC_URL
  --project NAME         Project the changes are stored under.                                  SIGHTLINE_CDC_PROJECT
  --key KEY              The project's write key, if it has one (SIGHTLINE_PROJECTS=NAME:KEY).   SIGHTLINE_CDC_KEY
  --kafka LIST           Instead of --url: Kafka brokers (host:port, comma-separated) of a       SIGHTLINE_CDC_KAFKA
                         scaled-out Sightline; changes go to its topic as POST /cdc would put them.
  --topic NAME           The topic for --kafka (default cdc, as Sightline's processors read).   SIGHTLINE_CDC_TOPIC

What to capture:
  --include LIST         db.table globs to capture, comma-separated (default: every table).    SIGHTLINE_CDC_INCLUDE
                         e.g. --include 'shop.*,billing.invoices'. MySQL's own schemas (mysql, sys, …) only
                         when named: --include 'mysql.*'.
  --exclude LIST         db.table globs to skip; wins over --include.                           SIGHTLINE_CDC_EXCLUDE
  --exclude-columns LIST Columns never sent: column, table.column or db.table.column globs,      SIGHTLINE_CDC_EXCLUDE_COLUMNS
                         e.g. --exclude-columns 'password_hash,*.users.ssn'.
  --output-ddl           Also send schema changes (table-create, table-alter, …, with the SQL). SIGHTLINE_CDC_OUTPUT_DDL

Where to start:
  --start-position F:P   First run only: start at this binlog position (SHOW MASTER STATUS       SIGHTLINE_CDC_START_POSITION
                         shows the current one), e.g. mysql-bin.000042:1234. Default: the current end of the
                         binlog — changes from the moment the agent first starts. Ignored once a checkpoint exists.
  --bootstrap LIST       Send the rows these tables already have (db.table, comma-separated)    SIGHTLINE_CDC_BOOTSTRAP
                         as bootstrap-start / bootstrap-insert … / bootstrap-complete, before following the
                         binlog. Done once per table (remembered in the state folder).
  --force-bootstrap      Take the --bootstrap snapshots again even if done before.

State and delivery:
  --state-dir DIR        Checkpoint, spool and bootstrap record (default ./data/cdc). One agent  SIGHTLINE_CDC_STATE_DIR
                         per folder.
  --server-id N          This reader's replica id, unique among the database's replicas and     SIGHTLINE_CDC_SERVER_ID
                         different from its server_id (default 6379).
  --batch-rows N         Messages per batch (default 1000).                                     SIGHTLINE_CDC_BATCH_ROWS
  --batch-bytes N        Bytes per batch (default 524288; the server takes 1 MiB per request).  SIGHTLINE_CDC_BATCH_BYTES
  --flush-ms N           Longest a change waits for its batch to fill (default 200).            SIGHTLINE_CDC_FLUSH_MS
  --spool-max-mb N       Spool size at which reading pauses while the server is unreachable     SIGHTLINE_CDC_SPOOL_MAX_MB
                         (default 1024; the database keeps the rest in its binlog).
  --request-timeout-ms N One request to the server or Kafka (default 30000).                   SIGHTLINE_CDC_REQUEST_TIMEOUT_MS
  --retry-max-ms N       Longest wait between retries, to the server and the database           SIGHTLINE_CDC_RETRY_MAX_MS
                         (default 30000; exponential backoff with jitter up to it).
  --heartbeat-seconds N  Heartbeat asked of the database; a silent connection is dropped and    SIGHTLINE_CDC_HEARTBEAT_SECONDS
                         reopened after 4 missed beats (default 5).

Output:
  --log-level LEVEL      fatal, error, warn, info (default), debug, trace. JSON logs on stdout.  SIGHTLINE_CDC_LOG_LEVEL
  --quiet                No bootstrap progress bar on stderr.
  -h, --help             This text.

Guarantees: a transaction is read whole, written to the spool (fsync) and only then counted as read; the spool is
sent in binlog order and each acknowledged batch is recorded in checkpoint.json (fsync) before it is deleted. A
killed agent resumes without a gap; a request acknowledged in the instant before the kill is sent again, and the
server stores its changes once (it knows them by server id, binlog position and offset). Stop with SIGTERM (or
Ctrl-C): it finishes the request in flight and exits.

Example:
  SIGHTLINE_CDC_MYSQL_PASSWORD=secret sightline cdc --mysql mysql://cdc@127.0.0.1:3306 \\
    --url https://sightline.example.com --project shop --key "$SHOP_KEY" --include 'shop.*' \\
    --exclude-columns 'password_hash' --bootstrap shop.users

  sightline cdc --mysql mysql://cdc@127.0.0.1:3306 --kafka kafka1:9092,kafka2:9092 --project shop
`;

export interface CdcOptions {
  target: MysqlTarget;
  /** The central Sightline; empty when the output is Kafka. */
  url: string;
  kafka?: { brokers: string[]; topic: string };
  project: string;
  key?: string;
  stateDir: string;
  serverId: number;
  filter: TableFilter;
  startPosition?: BinlogPosition;
  bootstrap: TableName[];
  forceBootstrap: boolean;
  outputDdl: boolean;
  batchRows: number;
  batchBytes: number;
  flushMs: number;
  spoolMaxBytes: number;
  requestTimeoutMs: number;
  retryMaxMs: number;
  heartbeatSeconds: number;
  logLevel: string;
  quiet: boolean;
}

export class OptionsError extends Error {}

export type ParsedCli = { help: true } | { help: false; options: CdcOptions };

/** Flags, then SIGHTLINE_CDC_* variables; every problem is reported at once, each naming its flag and fix. */
export function parseCdcOptions(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedCli {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(STRING_FLAGS.map((f) => [f, { type: 'string' as const }])),
        ...Object.fromEntries(LIST_FLAGS.map((f) => [f, { type: 'string' as const, multiple: true }])),
        ...Object.fromEntries(BOOLEAN_FLAGS.map((f) => [f, { type: 'boolean' as const }])),
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new OptionsError((err as Error).message);
  }
  if (values.help) return { help: true };

  const text = (flag: (typeof STRING_FLAGS)[number]): string | undefined => {
    const v = (values[flag] as string | undefined) ?? env[envName(flag)];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const list = (flag: (typeof LIST_FLAGS)[number]): string[] => {
    const given =
      (values[flag] as string[] | undefined) ?? (env[envName(flag)] ? [env[envName(flag)] as string] : []);
    return given
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);
  };
  const flag = (name: (typeof BOOLEAN_FLAGS)[number]): boolean | string | undefined => {
    if (values[name] !== undefined) return values[name] === true;
    const v = env[envName(name)];
    return v === undefined ? undefined : (boolFromText(v) ?? v);
  };

  // Each flag's text, with numbers and booleans read by the one rule every setting uses; the schema checks them.
  const brokers = (text('kafka') ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const raw: Record<string, unknown> = {};
  for (const name of STRING_FLAGS) {
    const v = text(name);
    if (v !== undefined) raw[name] = name in INTEGER_FLAGS ? (wholeNumberFromText(v) ?? v) : v;
  }
  delete raw.kafka;
  if (brokers.length > 0) raw.kafka = brokers;
  raw['log-level'] = (text('log-level') ?? env.SIGHTLINE_LOG_LEVEL ?? 'info').toLowerCase();
  for (const name of BOOLEAN_FLAGS) {
    const v = flag(name);
    if (v !== undefined) raw[name] = v;
  }
  const problems = OPTIONS_CHECK.issues(raw).map((i) => {
    const given = raw[i.field ?? ''];
    const message = i.message.replace('{raw}', JSON.stringify(String(given)));
    // A problem of one item of a list (a broker of --kafka) reads `--kafka: "bad" must be …`.
    return `--${i.field}${i.path.includes('[') ? ':' : ''} ${message}`;
  });
  const integer = (name: IntegerFlag, fallback: number): number =>
    typeof raw[name] === 'number' ? (raw[name] as number) : fallback;
  const bool = (name: (typeof BOOLEAN_FLAGS)[number]): boolean => raw[name] === true;

  let target: MysqlTarget = { host: '', port: 0, user: '', password: '' };
  const mysqlUrl = text('mysql');
  if (mysqlUrl)
    try {
      target = parseMysqlUrl(mysqlUrl, env.SIGHTLINE_CDC_MYSQL_PASSWORD);
    } catch (err) {
      if (!(err instanceof MysqlUrlError)) throw err;
      problems.push(err.message);
    }
  const topic = text('topic') ?? 'cdc';
  if (text('url') && brokers.length > 0)
    problems.push(
      '--url and --kafka both given: send to the central server (--url) or to its Kafka (--kafka), not both',
    );
  const url = brokers.length > 0 ? '' : (text('url') ?? '');
  if (url)
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
    } catch {
      problems.push(`--url "${url}" must be an http:// or https:// URL of the central Sightline`);
    }
  const project = text('project') ?? '';

  let filter = new TableFilter();
  try {
    filter = new TableFilter({
      include: list('include'),
      exclude: list('exclude'),
      excludeColumns: list('exclude-columns'),
    });
  } catch (err) {
    if (!(err instanceof FilterSyntaxError)) throw err;
    problems.push(err.message);
  }
  let startPosition: BinlogPosition | undefined;
  const start = text('start-position');
  if (start)
    try {
      startPosition = parsePosition(start);
    } catch (err) {
      if (!(err instanceof PositionSyntaxError)) throw err;
      problems.push(`--start-position: ${err.message}`);
    }
  const bootstrap: TableName[] = [];
  for (const name of list('bootstrap'))
    try {
      bootstrap.push(parseTableName(name));
    } catch (err) {
      if (!(err instanceof BootstrapError)) throw err;
      problems.push(err.message);
    }
  const logLevel = raw['log-level'] as string;

  const options: CdcOptions = {
    target,
    url,
    ...(brokers.length > 0 ? { kafka: { brokers, topic } } : {}),
    project,
    key: text('key'),
    stateDir: path.resolve(text('state-dir') ?? './data/cdc'),
    serverId: integer('server-id', 6379),
    filter,
    startPosition,
    bootstrap,
    forceBootstrap: bool('force-bootstrap'),
    outputDdl: bool('output-ddl'),
    batchRows: integer('batch-rows', 1000),
    batchBytes: integer('batch-bytes', 512 * 1024),
    flushMs: integer('flush-ms', 200),
    spoolMaxBytes: integer('spool-max-mb', 1024) * 1024 * 1024,
    requestTimeoutMs: integer('request-timeout-ms', 30_000),
    retryMaxMs: integer('retry-max-ms', 30_000),
    heartbeatSeconds: integer('heartbeat-seconds', 5),
    logLevel,
    quiet: bool('quiet'),
  };
  if (problems.length > 0) throw new OptionsError(problems.join('\n'));
  return { help: false, options };
}
