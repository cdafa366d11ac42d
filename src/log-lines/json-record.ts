/**
 * One JSON log record as the shippers send them — Fluent Bit's `http` output (`date` key), Vector's `http` sink
 * (`timestamp`, `source_type`), Filebeat (`@timestamp`, ECS `log.level`, `host.name`, `@metadata.beat`), journald
 * (`MESSAGE`, `PRIORITY`), nginx's JSON access logs, or any JSON line — mapped to time, message, level, service,
 * host; every other field is kept in `attributes`.
 */
import { levelOfStatus, normaliseLevel } from './log-level.ts';
import { flattenAttributes, type ParsedLog } from './log-row.ts';

type Json = Record<string, unknown>;

const TIME_KEYS = ['date', '@timestamp', 'timestamp', 'time', 'ts', '_time', 'time_iso8601'];
const MESSAGE_KEYS = ['message', 'msg', 'log', 'MESSAGE'];
const LEVEL_KEYS = ['level', 'severity', 'lvl', 'loglevel', 'log.level', 'PRIORITY'];
const SERVICE_KEYS = [
  'service',
  'service.name',
  'app',
  'application',
  'kubernetes.container_name',
  'container_name',
  'SYSLOG_IDENTIFIER',
];
const HOST_KEYS = ['host', 'hostname', 'host.name', 'agent.hostname', '_HOSTNAME'];

/** Reads `a.b` from nested objects too (ECS nests `log.level`, `host.name`). */
function pick(record: Json, keys: readonly string[]): { key: string; value: unknown } | undefined {
  for (const key of keys) {
    if (record[key] !== undefined && record[key] !== null && typeof record[key] !== 'object')
      return { key, value: record[key] };
    const [head, ...rest] = key.split('.');
    if (rest.length > 0) {
      const nested = record[head];
      if (nested && typeof nested === 'object') {
        const value = (nested as Json)[rest.join('.')];
        if (value !== undefined && value !== null && typeof value !== 'object') return { key, value };
      }
    }
  }
  return undefined;
}

/** The times the store's DateTime64 columns hold (1900-01-01 up to the end of 2299). */
const EARLIEST_MS = Date.UTC(1900, 0, 1);
const LATEST_MS = Date.UTC(2300, 0, 1) - 1;

/**
 * Epoch seconds (Fluent Bit's double), epoch ms, or an ISO string (no zone = UTC). A time the store cannot hold
 * reads as no time (the record then gets its receive time).
 */
export function parseLogTime(value: unknown): number | undefined {
  let ms: number;
  if (typeof value === 'number' && Number.isFinite(value))
    ms = value > 1e12 ? value : Math.round(value * 1000);
  else if (typeof value !== 'string' || value === '') return undefined;
  else if (/^\d+(\.\d+)?$/.test(value)) return parseLogTime(Number(value));
  else ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
  return ms >= EARLIEST_MS && ms <= LATEST_MS ? ms : undefined;
}

function sourceOf(record: Json, hint: string | undefined): string {
  if (hint) return hint;
  const meta = record['@metadata'];
  if (meta && typeof meta === 'object' && (meta as Json).beat) return 'filebeat';
  if (typeof record.source_type === 'string') return 'vector';
  if (record.date !== undefined) return 'fluentbit';
  if (record.MESSAGE !== undefined) return 'journald';
  return 'json';
}

function withoutKey(record: Json, key: string): void {
  if (key in record) {
    delete record[key];
    return;
  }
  const [head, ...rest] = key.split('.');
  const nested = record[head];
  if (rest.length > 0 && nested && typeof nested === 'object') {
    delete (nested as Json)[rest.join('.')];
    if (Object.keys(nested as Json).length === 0) delete record[head];
  }
}

export function parseJsonRecord(input: Json, sourceHint?: string): ParsedLog {
  const record: Json = structuredClone(input);
  const time = pick(record, TIME_KEYS);
  const message = pick(record, MESSAGE_KEYS);
  const level = pick(record, LEVEL_KEYS);
  const service = pick(record, SERVICE_KEYS);
  const host = pick(record, HOST_KEYS);
  for (const used of [time, message, level, service, host]) if (used) withoutKey(record, used.key);
  const nginx =
    record.remote_addr !== undefined &&
    record.status !== undefined &&
    (record.request !== undefined || record.request_method !== undefined);
  const status = Number(record.status);
  const parsedLevel = level
    ? normaliseLevel(level.value)
    : nginx && Number.isFinite(status)
      ? levelOfStatus(status)
      : 'info';
  delete record['@metadata'];
  return {
    time: time ? parseLogTime(time.value) : undefined,
    host: host ? String(host.value).slice(0, 255) : '',
    service: service ? String(service.value).slice(0, 255) : nginx ? 'nginx' : '',
    level: parsedLevel || 'info',
    message: message
      ? String(message.value)
      : nginx
        ? String(record.request ?? `${record.request_method} ${record.request_uri ?? ''}`)
        : '',
    attributes: flattenAttributes(record),
    source: nginx ? 'nginx' : sourceOf(input, sourceHint),
  };
}
