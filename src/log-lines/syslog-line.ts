/** Syslog lines: RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`) and RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG`). */
import { syslogSeverityLevel } from './log-level.ts';
import type { ParsedLog } from './log-row.ts';

const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[[^\]]*\])+)\s?(.*)$/s;
const RFC3164 =
  /^<(\d{1,3})>(\w{3}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\S+) ([^:[\s]+)(?:\[(\d+)\])?: ?(.*)$/s;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'clock',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
];

const nil = (v: string) => (v === '-' ? '' : v);

export function parseSyslogLine(line: string, now = Date.now()): ParsedLog | undefined {
  const modern = RFC5424.exec(line);
  if (modern) {
    const [, pri, time, host, app, procId, msgId, structured, message] = modern;
    const attributes: Record<string, string> = {
      facility: FACILITIES[Number(pri) >> 3] ?? String(Number(pri) >> 3),
    };
    if (nil(procId)) attributes.proc_id = procId;
    if (nil(msgId)) attributes.msg_id = msgId;
    if (structured !== '-') attributes.structured_data = structured;
    const ms = Date.parse(time);
    return {
      time: Number.isNaN(ms) ? undefined : ms,
      host: nil(host),
      service: nil(app),
      level: syslogSeverityLevel(Number(pri) & 7),
      message: message.replace(/^\uFEFF/, ''),
      attributes,
      source: 'syslog',
    };
  }
  const legacy = RFC3164.exec(line);
  if (!legacy) return undefined;
  const [, pri, mon, day, hh, mm, ss, host, tag, pid, message] = legacy;
  const month = MONTHS.indexOf(mon);
  if (month < 0) return undefined;
  // RFC 3164 has no year: the most recent such date that is not in the future.
  const year = new Date(now).getUTCFullYear();
  let time = Date.UTC(year, month, Number(day), Number(hh), Number(mm), Number(ss));
  if (time > now + 86_400_000)
    time = Date.UTC(year - 1, month, Number(day), Number(hh), Number(mm), Number(ss));
  const attributes: Record<string, string> = {
    facility: FACILITIES[Number(pri) >> 3] ?? String(Number(pri) >> 3),
  };
  if (pid) attributes.proc_id = pid;
  return {
    time,
    host,
    service: tag,
    level: syslogSeverityLevel(Number(pri) & 7),
    message,
    attributes,
    source: 'syslog',
  };
}
