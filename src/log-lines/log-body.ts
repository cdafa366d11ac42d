/**
 * Splits a `POST /logs` body into records, whatever the shipper: a JSON array (Fluent Bit `json`, Vector's JSON
 * arrays, Filebeat batches), JSON lines (Fluent Bit `json_lines`/`json_stream`, Vector `ndjson`, anything), or
 * raw text lines in a named format (`?format=nginx|syslog|text`). Bad lines never sink the good ones: each comes
 * back with its line number and the reason.
 */
import { MAX_JSON_DEPTH, tooDeepAt } from '../contract/json-depth.ts';
import { parseJsonRecord } from './json-record.ts';
import type { ParsedLog } from './log-row.ts';
import { parseNginxLine } from './nginx-line.ts';
import { parseSyslogLine } from './syslog-line.ts';

export const LINE_FORMATS = ['json', 'nginx', 'syslog', 'text'] as const;
export type LineFormat = (typeof LINE_FORMATS)[number];

export const MAX_LINE_BYTES = 64 * 1024;

export interface BadLine {
  /** 1-based line number (or array index + 1). */
  line: number;
  reason: string;
  /** The start of the offending input, for the dead-letter table. */
  sample: string;
}

export interface SplitLogs {
  records: ParsedLog[];
  bad: BadLine[];
}

/** NUL and the other C0 controls except tab, line feed and carriage return (and \v, \f). */
function hasControlCharacters(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x09 || (c > 0x0d && c < 0x20)) return true;
  }
  return false;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const TOO_DEEP = `nests deeper than ${MAX_JSON_DEPTH} levels`;

/** A JSON object as a log record; a record the parser cannot read (whatever it holds) is a bad line. */
function readJsonRecord(item: Record<string, unknown>, sourceHint: string | undefined): ParsedLog | string {
  try {
    return parseJsonRecord(item, sourceHint);
  } catch (err) {
    return `cannot be read: ${(err as Error)?.message ?? String(err)}`.slice(0, 500);
  }
}

/** A sample of a JSON value for a bad line; never throws. */
function sampleOf(item: unknown): string {
  try {
    return String(JSON.stringify(item)).slice(0, 200);
  } catch {
    return '';
  }
}

function parseTextLine(line: string, format: LineFormat): ParsedLog | undefined {
  if (format === 'nginx') return parseNginxLine(line);
  if (format === 'syslog') return parseSyslogLine(line);
  return {
    time: undefined,
    host: '',
    service: '',
    level: 'info',
    message: line,
    attributes: {},
    source: 'text',
  };
}

export function splitLogBody(text: string, format: LineFormat = 'json', sourceHint?: string): SplitLogs {
  const out: SplitLogs = { records: [], bad: [] };
  const trimmed = text.trimStart();
  if (format === 'json' && trimmed.startsWith('[')) {
    if (tooDeepAt(trimmed) >= 0) {
      out.bad.push({ line: 1, reason: `the JSON array ${TOO_DEEP}`, sample: trimmed.slice(0, 200) });
      return out;
    }
    let items: unknown;
    try {
      items = JSON.parse(trimmed);
    } catch (err) {
      out.bad.push({
        line: 1,
        reason: `the JSON array is not valid: ${(err as Error).message}`,
        sample: trimmed.slice(0, 200),
      });
      return out;
    }
    (items as unknown[]).forEach((item, i) => {
      const record = isObject(item) ? readJsonRecord(item, sourceHint) : 'not a JSON object';
      if (typeof record === 'string') out.bad.push({ line: i + 1, reason: record, sample: sampleOf(item) });
      else out.records.push(record);
    });
    return out;
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (line.trim() === '') continue;
    const bad = (reason: string) => out.bad.push({ line: i + 1, reason, sample: line.slice(0, 200) });
    if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
      bad(`longer than ${MAX_LINE_BYTES} bytes`);
      continue;
    }
    // Binary junk (NUL or other control characters) is no log line.
    if (hasControlCharacters(line)) {
      bad('contains binary data');
      continue;
    }
    if (format !== 'json') {
      const parsed = parseTextLine(line, format);
      if (parsed) out.records.push(parsed);
      else bad(`not a ${format} line`);
      continue;
    }
    if (tooDeepAt(line) >= 0) {
      bad(TOO_DEEP);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      bad(`not valid JSON: ${(err as Error).message}`);
      continue;
    }
    const record = isObject(value) ? readJsonRecord(value, sourceHint) : 'not a JSON object';
    if (typeof record === 'string') bad(record);
    else out.records.push(record);
  }
  return out;
}
