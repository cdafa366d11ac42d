/**
 * The flags of `sightline cdc` and their JSON Schema: each flag's text is read first (numbers and booleans by the
 * one rule of config/text-values.ts), then checked here; problems read `--flag <what to write>`.
 */
import { compileSchema, when } from '../../config/json-schema.ts';

export const STRING_FLAGS = [
  'mysql',
  'url',
  'project',
  'key',
  'kafka',
  'topic',
  'state-dir',
  'server-id',
  'start-position',
  'batch-rows',
  'batch-bytes',
  'flush-ms',
  'spool-max-mb',
  'request-timeout-ms',
  'retry-max-ms',
  'heartbeat-seconds',
  'log-level',
] as const;
export const LIST_FLAGS = ['include', 'exclude', 'exclude-columns', 'bootstrap'] as const;
export const BOOLEAN_FLAGS = ['output-ddl', 'force-bootstrap', 'quiet'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const envName = (flag: string) => `SIGHTLINE_CDC_${flag.toUpperCase().replaceAll('-', '_')}`;

export const INTEGER_FLAGS = {
  'server-id': [1, 4_294_967_295],
  'batch-rows': [1, 100_000],
  'batch-bytes': [1024, 64 * 1024 * 1024],
  'flush-ms': [1, 60_000],
  'spool-max-mb': [1, 1_048_576],
  'request-timeout-ms': [100, 600_000],
  'retry-max-ms': [10, 3_600_000],
  'heartbeat-seconds': [1, 3600],
} as const;
export type IntegerFlag = keyof typeof INTEGER_FLAGS;

const required = (flag: string, example: string) => ({
  type: 'string',
  missingHint: `is required (or ${envName(flag)}), e.g. --${flag} ${example}`,
});

/**
 * The flags' shape, after the text of each was read (numbers and booleans by config/text-values.ts). What needs
 * a parser of its own (the MySQL URL, table globs, positions, table names, the central URL) is checked in code.
 */
const OPTIONS_SCHEMA = {
  type: 'object',
  properties: {
    mysql: required('mysql', 'mysql://cdc@127.0.0.1:3306'),
    kafka: {
      type: 'array',
      items: {
        type: 'string',
        pattern: '^[A-Za-z0-9._-]+:\\d{1,5}$|^\\[[0-9a-fA-F:]+\\]:\\d{1,5}$',
        hint: '{got} must be host:port, e.g. --kafka kafka1:9092,kafka2:9092',
      },
    },
    topic: {
      type: 'string',
      pattern: '^[A-Za-z0-9._-]{1,249}$',
      hint: '{got} is not a Kafka topic name (letters, digits, . _ -)',
    },
    url: { type: 'string' },
    project: {
      ...required('project', 'shop'),
      pattern: '^[A-Za-z0-9_.-]{1,64}$',
      hint: "{got} must be a project name from the server's SIGHTLINE_PROJECTS",
    },
    'log-level': { enum: LOG_LEVELS, hint: `must be one of ${LOG_LEVELS.join(', ')}, got {got}` },
    ...Object.fromEntries(
      Object.entries(INTEGER_FLAGS).map(([flag, [min, max]]) => [
        flag,
        {
          type: 'integer',
          minimum: min,
          maximum: max,
          hint: `(${envName(flag)}) must be a whole number from ${min} to ${max}, got {raw}`,
        },
      ]),
    ),
    ...Object.fromEntries(
      BOOLEAN_FLAGS.map((flag) => [
        flag,
        { type: 'boolean', hint: `(${envName(flag)}) must be true or false, got {got}` },
      ]),
    ),
  },
  required: ['mysql', 'project'],
  // Without --kafka, changes go to the central server: --url is needed.
  allOf: [
    when(
      { not: { properties: { kafka: true }, required: ['kafka'] } },
      { properties: { url: required('url', 'https://sightline.example.com') }, required: ['url'] },
    ),
  ],
};
export const OPTIONS_CHECK = compileSchema(OPTIONS_SCHEMA);
