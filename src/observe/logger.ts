import { type Logger, pino } from 'pino';

export type { Logger };

/** JSON logs on stdout; one logger per process, children per stage (`{ stage: 'process' }`). */
export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'sightline' }, timestamp: pino.stdTimeFunctions.isoTime });
}
