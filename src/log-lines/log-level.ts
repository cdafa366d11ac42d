/** Every shipper spells levels its own way; stored as one of: trace, debug, info, warn, error, fatal. */
const NAMES: Record<string, string> = {
  trace: 'trace',
  debug: 'debug',
  dbg: 'debug',
  info: 'info',
  information: 'info',
  informational: 'info',
  notice: 'info',
  inf: 'info',
  warn: 'warn',
  warning: 'warn',
  wrn: 'warn',
  error: 'error',
  err: 'error',
  eror: 'error',
  fatal: 'fatal',
  crit: 'fatal',
  critical: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
  panic: 'fatal',
};

/** Syslog severities 0–7 (RFC 5424). */
const SYSLOG = ['fatal', 'fatal', 'fatal', 'error', 'warn', 'info', 'info', 'debug'];

export function normaliseLevel(value: unknown): string {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 7) return SYSLOG[value];
  if (typeof value !== 'string' || value === '') return '';
  const v = value.trim().toLowerCase();
  if (/^[0-7]$/.test(v)) return SYSLOG[Number(v)];
  return NAMES[v] ?? v.slice(0, 16);
}

export function syslogSeverityLevel(severity: number): string {
  return SYSLOG[severity] ?? 'info';
}

/** An HTTP status as a level: 5xx error, 4xx warn, otherwise info. */
export function levelOfStatus(status: number): string {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}
