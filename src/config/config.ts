/**
 * Builds the one typed config object at start-up. The only module that reads `process.env`
 * (the CLI passes it in). A bad value stops start-up with a message naming the variable and the fix.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { alertSettingProblems } from '../alerts/alert-config-check.ts';
import { type ConfigKey, type ConfigSchema, configSchema } from './config-schema.ts';
import { editDistance } from './edit-distance.ts';
import { ConfigValueError, type FieldSpec, type Section, type SettingsOf } from './setting-fields.ts';

export type Config = { [K in ConfigKey]: ReturnType<ConfigSchema[K]['parse']> };
export type { ProjectSpec } from '../sites/sites.settings.ts';

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Sightline cannot start — fix the configuration:\n${problems.map((p) => `  • ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Where a setting's value comes from: text (env, default, a scalar of the file) or a structured value of the file. */
type RawSource = { from: string } & ({ text: string } | { value: object });

function fileValues(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([
      `SIGHTLINE_CONFIG: cannot read "${file}" (${(err as NodeJS.ErrnoException).code}); point it at an existing JSON or YAML file`,
    ]);
  }
  let parsed: unknown;
  try {
    parsed = /\.ya?ml$/i.test(file) ? YAML.parse(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError([
      `SIGHTLINE_CONFIG: "${file}" is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(err as Error).message}`,
    ]);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError([
      `SIGHTLINE_CONFIG: "${file}" must hold an object of settings, e.g. {"port": 8080}`,
    ]);
  return parsed as Record<string, unknown>;
}

/**
 * A file value as its field reads it: scalars as the text an env variable would hold, lists of names joined with
 * commas; structured values (forwarding rules, alert rules: objects or lists of objects) stay values, read by the
 * field's `parseValue` as they are, never turned into JSON text and parsed again.
 */
function fileSource(value: unknown, from: string): RawSource {
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object'))
    return { text: value.map(String).join(','), from };
  if (value !== null && typeof value === 'object') return { value, from };
  return { text: String(value), from };
}

function parseSource<T>(spec: FieldSpec<T>, raw: RawSource): T {
  if ('text' in raw) return spec.parse(raw.text);
  if (spec.parseValue) return spec.parseValue(raw.value);
  throw new ConfigValueError(
    `expected ${Array.isArray(raw.value) ? 'a list of names or numbers' : 'text or a number'}, not ${Array.isArray(raw.value) ? 'a list of objects' : 'an object'}`,
  );
}

/** @param env usually `process.env`; tests pass their own. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const configFile = env[configSchema.configFile.env];
  const fromFile = configFile ? fileValues(configFile) : {};
  const keys = Object.keys(configSchema) as ConfigKey[];
  const unknown = Object.keys(fromFile).filter((k) => !keys.includes(k as ConfigKey));
  const problems: string[] = unknown.map(
    (k) => `SIGHTLINE_CONFIG: unknown setting "${k}" in ${configFile}; known: ${keys.join(', ')}`,
  );
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const spec = configSchema[key];
    let raw: RawSource | undefined;
    const envValue = env[spec.env];
    if (envValue !== undefined && envValue !== '') raw = { text: envValue, from: spec.env };
    else if (key in fromFile) raw = fileSource(fromFile[key], `${key} in ${configFile}`);
    else if (spec.default !== undefined) raw = { text: spec.default, from: `default of ${spec.env}` };
    if (raw === undefined) {
      out[key] = undefined;
      continue;
    }
    try {
      out[key] = parseSource<unknown>(spec, raw);
    } catch (err) {
      problems.push(`${raw.from}: ${(err as Error).message}. ${spec.description}`);
    }
  }
  if (problems.length === 0) problems.push(...alertSettingProblems(out));
  if (out.clickhouseHttp && !out.clickhousePassword)
    problems.push(
      'SIGHTLINE_CLICKHOUSE_PASSWORD: required when SIGHTLINE_CLICKHOUSE_HTTP is set (the endpoint never runs without a password)',
    );
  const renamed = Object.values((out.kafkaTopics as Record<string, string> | undefined) ?? {});
  for (const key of ['kafkaLogsTopic', 'kafkaMaxwellTopic'] as const)
    if (out[key] && renamed.includes(out[key] as string))
      problems.push(
        `SIGHTLINE_KAFKA_TOPICS: "${out[key]}" is also ${configSchema[key].env}; Sightline's own topics and the shippers' topics must differ`,
      );
  if (problems.length > 0) throw new ConfigError(problems);
  const config = out as Config;
  config.dataDir = path.resolve(config.dataDir);
  return config;
}

/**
 * The settings of one section (a stage's `*.settings.ts`) and nothing else: what the wiring hands that stage, so a
 * stage sees only what it declared (or what its options name besides).
 */
export function sectionOf<S extends Section>(config: Config, section: S): SettingsOf<S> {
  return Object.fromEntries(
    Object.keys(section).map((key) => [key, config[key as ConfigKey]]),
  ) as SettingsOf<S>;
}

/** `SIGHTLINE_*` names read outside this schema: the CDC agent's own settings, and the tests' screenshot folder. */
const READ_ELSEWHERE = [/^SIGHTLINE_CDC_/, /^SIGHTLINE_SCREENSHOTS_DIR$/];

/** The known variable a mistyped or shortened one most likely meant, if any is close. */
function closestVariable(name: string, known: string[]): string | undefined {
  let best: { name: string; score: number } | undefined;
  for (const k of known) {
    // A shortened name (`…_RATE_LIMIT`) is one step from each longer one; the first in the schema wins.
    const score = k.startsWith(`${name}_`) ? 1 : editDistance(name, k);
    if (!best || score < best.score) best = { name: k, score };
  }
  const allowed = Math.max(2, Math.floor((name.length - 'SIGHTLINE_'.length) / 3));
  return best && best.score <= allowed ? best.name : undefined;
}

/**
 * A `SIGHTLINE_*` variable no part of Sightline reads is most likely a typo whose setting silently keeps its
 * default; one warning per such variable, naming the closest known one.
 */
export function unknownVariableWarnings(env: Record<string, string | undefined>): string[] {
  const known = Object.values(configSchema).map((f) => f.env);
  return Object.keys(env)
    .filter((v) => v.startsWith('SIGHTLINE_') && !known.includes(v) && !READ_ELSEWHERE.some((r) => r.test(v)))
    .sort()
    .map((v) => {
      const close = closestVariable(v, known);
      return close
        ? `unknown variable ${v}; did you mean ${close}?`
        : `unknown variable ${v}; it is ignored (\`sightline help config\` lists every setting)`;
    });
}
