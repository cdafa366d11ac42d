/** The event log's settings: which log (WAL or Kafka), its segments or topics, and the raw archive. */

import { ConfigValueError, field, integer, oneOf, type SettingsOf, text } from '../config/setting-fields.ts';

/** `wal` or `kafka://host:port[,host:port…]`. */
function logUrl(raw: string): string {
  const v = raw.trim();
  if (v === 'wal') return v;
  const match = /^kafka:\/\/(.+)$/.exec(v);
  if (!match?.[1].split(',').every((b) => /^[A-Za-z0-9._-]+:\d{1,5}$/.test(b.trim())))
    throw new ConfigValueError(`expected wal or kafka://host:port[,host:port…], got "${raw}"`);
  return v;
}

/** Sightline's own topics on Kafka, by their logical names; what `SIGHTLINE_KAFKA_TOPICS` may rename. */
export const KAFKA_TOPIC_ROLES = ['events', 'logs', 'cdc', 'dead-letters'] as const;

/** `events=acme.events,dead-letters=acme.dlq` → each logical topic's name on the broker (unnamed: its own). */
function topicNames(raw: string): Record<string, string> {
  const names: Record<string, string> = {};
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [role, name, extra] = part.split('=').map((x) => x.trim());
    if (!(KAFKA_TOPIC_ROLES as readonly string[]).includes(role))
      throw new ConfigValueError(
        `"${role}" is not one of Sightline's topics (${KAFKA_TOPIC_ROLES.join(', ')}); write role=name, e.g. events=acme.events`,
      );
    if (extra !== undefined || !name || !/^[A-Za-z0-9._-]{1,249}$/.test(name))
      throw new ConfigValueError(
        `"${part}": write ${role}=<topic name> (letters, digits, . _ -), e.g. ${role}=acme.${role}`,
      );
    names[role] = name;
  }
  const used = Object.values(names);
  const twice = used.find((n, i) => used.indexOf(n) !== i);
  if (twice) throw new ConfigValueError(`topic "${twice}" is named for two roles; each needs its own topic`);
  return names;
}

export const logSettings = {
  log: field({
    env: 'SIGHTLINE_LOG',
    default: 'wal',
    description:
      '`wal` (write-ahead log files in `<data dir>/wal`) or `kafka://host:9092[,host2:9092…]` (Apache Kafka; topics created at start when missing).',
    parse: logUrl,
  }),
  walSegmentBytes: field({
    env: 'SIGHTLINE_WAL_SEGMENT_BYTES',
    default: '67108864',
    description:
      'Size at which the write-ahead log starts a new segment file; consumed segments are deleted.',
    parse: integer(4096, 4 * 1024 * 1024 * 1024),
  }),
  walMaxSegmentAgeSeconds: field({
    env: 'SIGHTLINE_WAL_MAX_SEGMENT_AGE_SECONDS',
    default: '3600',
    description:
      'Age (seconds) of the oldest record in the active write-ahead log segment at which a new segment starts even on a quiet site, so raw bodies leave the disk within about 1.5 × this after every consumer is past them (docs/privacy.md).',
    parse: integer(1, 7 * 86_400),
  }),
  kafkaPartitions: field({
    env: 'SIGHTLINE_KAFKA_PARTITIONS',
    default: '6',
    description: 'Partitions of each topic Sightline creates (processors in one group share them).',
    parse: integer(1, 1000),
  }),
  kafkaReplicas: field({
    env: 'SIGHTLINE_KAFKA_REPLICAS',
    default: '1',
    description: 'Replicas of each topic Sightline creates (3 on a production cluster).',
    parse: integer(1, 10),
  }),
  kafkaRetentionHours: field({
    env: 'SIGHTLINE_KAFKA_RETENTION_HOURS',
    default: '168',
    description: 'Retention of the topics Sightline creates (7 days by default).',
    parse: integer(1, 100_000),
  }),
  kafkaCompression: field({
    env: 'SIGHTLINE_KAFKA_COMPRESSION',
    default: 'lz4',
    description: 'Compression of what the collectors produce to Kafka: none, gzip, snappy, lz4 or zstd.',
    parse: oneOf(['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const),
  }),
  kafkaTopics: field({
    env: 'SIGHTLINE_KAFKA_TOPICS',
    default: '',
    description:
      "With Kafka: other names for Sightline's own topics, `role=name` comma-separated (roles: events, logs, cdc, dead-letters), e.g. `events=acme.events,dead-letters=acme.dlq`. Unnamed roles keep their role as name.",
    parse: topicNames,
  }),
  kafkaLogsTopic: field({
    env: 'SIGHTLINE_KAFKA_LOGS_TOPIC',
    default: 'app.logs',
    description:
      'With Kafka: topic where log shippers (Fluent Bit, Filebeat, rsyslog omkafka) write; read into `logs`. Empty = off.',
    parse: text,
  }),
  kafkaMaxwellTopic: field({
    env: 'SIGHTLINE_KAFKA_MAXWELL_TOPIC',
    default: 'maxwell',
    description: 'With Kafka: topic real Maxwell daemons write to; read into `db_changes`. Empty = off.',
    parse: text,
  }),
  kafkaShipperProject: field({
    env: 'SIGHTLINE_KAFKA_SHIPPER_PROJECT',
    default: undefined,
    description:
      'Project the shipper and Maxwell topics are stored under (default: the first of SIGHTLINE_PROJECTS).',
    parse: text,
  }),
  archiveDir: field({
    env: 'SIGHTLINE_ARCHIVE_DIR',
    default: undefined,
    description:
      'Keep every envelope, as received, in hourly gzip NDJSON files under this folder (a consumer of its own); `sightline replay` reads them back. Off when unset.',
    parse: text,
  }),
};

export type LogConfig = SettingsOf<typeof logSettings>;
