/**
 * Logs on stdout; one logger per process, children per stage (`{ stage: 'process' }`). One JSON object per line
 * for machines (not a terminal, or SIGHTLINE_LOG_FORMAT=json), readable lines for a person at a terminal
 * (`12:04:05.123 INFO  message key=value`, or SIGHTLINE_LOG_FORMAT=pretty).
 */
import { type Logger, pino } from 'pino';

export type { Logger };

export type LogFormat = 'auto' | 'json' | 'pretty';

/** Where lines go: stdout, or (tests) anything with `write`. */
export interface LogOutput {
  write(line: string): unknown;
  isTTY?: boolean;
}

/** `auto` reads the output: a terminal gets readable lines, a pipe or a file JSON. */
export function resolveLogFormat(format: LogFormat, out: LogOutput = process.stdout): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return out.isTTY === true ? 'pretty' : 'json';
}

const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'TRACE', color: '90' },
  20: { name: 'DEBUG', color: '90' },
  30: { name: 'INFO ', color: '36' },
  40: { name: 'WARN ', color: '33' },
  50: { name: 'ERROR', color: '31' },
  60: { name: 'FATAL', color: '35' },
};

/** Fields every line has, or that say nothing to a person at a terminal. */
const HIDDEN = new Set(['level', 'time', 'msg', 'app', 'pid', 'hostname']);

function valueText(v: unknown): string {
  if (typeof v === 'string') return /^[^\s="\\]+$/.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return JSON.stringify(v) ?? String(v);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * One JSON log line (as pino writes it) → `HH:MM:SS.mmm LEVEL message key=value …` in local time, the stack of an
 * error on the lines below. A line that is not JSON is passed on as it is.
 */
export function formatLogLine(json: string, options: { color?: boolean } = {}): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const paint = (code: string, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const at = new Date(
    typeof entry.time === 'string' || typeof entry.time === 'number' ? entry.time : Date.now(),
  );
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}.${pad(at.getMilliseconds(), 3)}`;
  const level = LEVELS[Number(entry.level)] ?? { name: String(entry.level ?? '?').padEnd(5), color: '0' };
  let stack: string | undefined;
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (HIDDEN.has(key) || value === undefined) continue;
    // pino's error serializer: the message inline, the stack below the line.
    if (value && typeof value === 'object' && 'message' in value && ('stack' in value || 'type' in value)) {
      const err = value as { message?: unknown; stack?: unknown };
      pairs.push(`${paint('2', `${key}=`)}${valueText(String(err.message))}`);
      if (typeof err.stack === 'string') stack = err.stack;
      continue;
    }
    pairs.push(`${paint('2', `${key}=`)}${valueText(value)}`);
  }
  const message = typeof entry.msg === 'string' ? entry.msg : '';
  const line = [paint('2', time), paint(level.color, level.name), message, ...pairs].filter((s) => s !== '');
  const below = stack
    ? `${stack
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}\n`
    : '';
  return `${line.join(' ')}\n${below}`;
}

export function createLogger(
  level: string,
  format: LogFormat = 'auto',
  out: LogOutput = process.stdout,
): Logger {
  const options = { level, base: { app: 'sightline' }, timestamp: pino.stdTimeFunctions.isoTime };
  if (resolveLogFormat(format, out) === 'json')
    return out === process.stdout
      ? pino(options)
      : pino(options, { write: (line: string) => out.write(line) });
  const color = out.isTTY === true && !process.env.NO_COLOR;
  return pino(options, { write: (line: string) => out.write(formatLogLine(line, { color })) });
}
