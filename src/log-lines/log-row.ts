/** The canonical `logs` row (004_logs.sql). */
export interface LogRow {
  timestamp: string;
  received_at: string;
  project: string;
  host: string;
  service: string;
  level: string;
  message: string;
  attributes: Record<string, string>;
  source: string;
}

/** What a parser produces before the processor adds project, receive time and geo. */
export type ParsedLog = Omit<LogRow, 'received_at' | 'project' | 'timestamp'> & {
  /** Milliseconds since the epoch, or undefined when the line carried no time. */
  time: number | undefined;
};

const MAX_VALUE = 8192;

/**
 * Nested objects become dotted keys (`kubernetes.pod_name`); every value a string. A `__proto__` key is kept as
 * data (defined, not assigned). Nesting is bounded: bodies deeper than the JSON depth limit never get here.
 */
export function flattenAttributes(
  value: Record<string, unknown>,
  prefix = '',
  out: Record<string, string> = {},
): Record<string, string> {
  for (const [key, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (v === null || v === undefined) continue;
    if (typeof v === 'object' && !Array.isArray(v))
      flattenAttributes(v as Record<string, unknown>, name, out);
    else
      Object.defineProperty(out, name, {
        value: (typeof v === 'string' ? v : JSON.stringify(v)).slice(0, MAX_VALUE),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}
