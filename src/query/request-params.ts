/**
 * Reading a read route's querystring once checked (src/query/query-params.ts): single values of the right type, or
 * absent. Problems are collected, not thrown, so one 400 names them all.
 */
import type { FastifyReply } from 'fastify';
import type { ParamProblem } from './errors.ts';
import { type createReadAuth, resolveTarget, type Target } from './read-auth.ts';
import { isTimeZone } from './time-range.ts';

/** A checked querystring: each parameter a string, a number or a boolean as its schema says, or absent. */
export type Query = Record<string, unknown>;

/** A text parameter, or undefined when absent. */
export function textOf(query: Query, name: string): string | undefined {
  const value = query[name];
  return typeof value === 'string' ? value : undefined;
}

/** A whole-number parameter, or undefined when absent. */
export function numberOf(query: Query, name: string): number | undefined {
  const value = query[name];
  return typeof value === 'number' ? value : undefined;
}

export function timeZoneOf(query: Query, problems: ParamProblem[]): string {
  const tz = textOf(query, 'tz') ?? 'UTC';
  if (!isTimeZone(tz))
    problems.push({ param: 'tz', message: `"${tz}" is not an IANA time zone (e.g. Europe/Berlin)` });
  return isTimeZone(tz) ? tz : 'UTC';
}

export function targetOf(
  scope: Awaited<ReturnType<ReturnType<typeof createReadAuth>>>,
  query: Query,
  problems: ParamProblem[],
): Target | undefined {
  const target = resolveTarget(scope, textOf(query, 'project'), textOf(query, 'tenant'));
  if (!target) problems.push({ param: 'project', message: 'is required with the admin token' });
  return target;
}

export function send(reply: FastifyReply, body: unknown) {
  return reply.header('cache-control', 'no-store').send(body);
}
