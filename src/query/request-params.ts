/** Reading query parameters the same way on every read route: one value each, problems collected, not thrown. */
import type { FastifyReply } from 'fastify';
import type { ParamProblem } from './errors.ts';
import { type createReadAuth, resolveTarget, type Target } from './read-auth.ts';
import { isTimeZone } from './time-range.ts';

export type Query = Record<string, string | string[] | undefined>;

/** One value of a query parameter; repeated parameters are a mistake worth reporting. */
export function one(query: Query, name: string, problems: ParamProblem[]): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) {
    problems.push({ param: name, message: 'is given more than once' });
    return undefined;
  }
  return value === '' ? undefined : value;
}

export function limitOf(query: Query, fallback: number, max: number, problems: ParamProblem[]): number {
  const raw = one(query, 'limit', problems);
  if (raw === undefined) return Math.min(fallback, max);
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    problems.push({ param: 'limit', message: `must be a whole number from 1 to ${max}` });
    return fallback;
  }
  return Number(raw);
}

export function timeZoneOf(query: Query, problems: ParamProblem[]): string {
  const tz = one(query, 'tz', problems) ?? 'UTC';
  if (!isTimeZone(tz))
    problems.push({ param: 'tz', message: `"${tz}" is not an IANA time zone (e.g. Europe/Berlin)` });
  return isTimeZone(tz) ? tz : 'UTC';
}

export function targetOf(
  scope: Awaited<ReturnType<ReturnType<typeof createReadAuth>>>,
  query: Query,
  problems: ParamProblem[],
): Target | undefined {
  const target = resolveTarget(scope, one(query, 'project', problems), one(query, 'tenant', problems));
  if (!target) problems.push({ param: 'project', message: 'is required with the admin token' });
  return target;
}

export function send(reply: FastifyReply, body: unknown) {
  return reply.header('cache-control', 'no-store').send(body);
}
