/**
 * nginx access lines in the `combined` format (and `combined` followed by request/upstream times, a common
 * extension): `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer"
 * "$http_user_agent" [$request_time [$upstream_response_time]]`.
 */
import { levelOfStatus } from './log-level.ts';
import type { ParsedLog } from './log-row.ts';

const COMBINED =
  /^(\S+) \S+ (\S+) \[([^\]]+)\] "([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"(?: (\d+(?:\.\d+)?|-))?(?: (\d+(?:\.\d+)?|-))?/;
const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/** `17/Apr/2024:04:04:12 +0200` → ms. */
export function parseNginxTime(value: string): number | undefined {
  const m = /^(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(value);
  if (!m || MONTHS[m[2]] === undefined) return undefined;
  const offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) * 60_000;
  return (
    Date.UTC(Number(m[3]), MONTHS[m[2]], Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) - offset
  );
}

export function parseNginxLine(line: string): ParsedLog | undefined {
  const m = COMBINED.exec(line);
  if (!m) return undefined;
  const [, ip, user, time, request, status, bytes, referrer, ua, requestTime, upstreamTime] = m;
  const [method = '', path = '', protocol = ''] = request.split(' ');
  const attributes: Record<string, string> = {
    ip,
    method,
    path,
    protocol,
    status,
    bytes: bytes === '-' ? '0' : bytes,
    user_agent: ua,
  };
  if (user !== '-') attributes.user = user;
  if (referrer !== '-') attributes.referrer = referrer;
  if (requestTime && requestTime !== '-')
    attributes.duration_ms = String(Math.round(Number(requestTime) * 1000));
  if (upstreamTime && upstreamTime !== '-')
    attributes.upstream_ms = String(Math.round(Number(upstreamTime) * 1000));
  return {
    time: parseNginxTime(time),
    host: '',
    service: 'nginx',
    level: levelOfStatus(Number(status)),
    message: line,
    attributes,
    source: 'nginx',
  };
}
