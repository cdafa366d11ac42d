/**
 * Admin-only API: `GET/POST /api/v1/alerts`, `DELETE /api/v1/alerts/:id`, `GET /api/v1/alerts/history`,
 * `POST /api/v1/alerts/:id/test` and `POST /api/v1/reports/send`. Rules from the config are listed read-only.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AlertHistoryEntry, AlertRule, Results } from '../query/api-types.ts';
import { queryParams, text } from '../query/query-params.ts';
import { type createReadAuth, type ReadScope, requireAdmin } from '../query/read-auth.ts';
import { type Query, textOf } from '../query/request-params.ts';
import { isTimeZone } from '../query/time-range.ts';
import { inputOf, inputProblems, routeSchema } from '../server/route-schemas.ts';
import type { SitesConfig } from '../sites/sites.settings.ts';
import { isEmail } from './alert-channels.ts';
import { parseRule } from './alert-rules.ts';
import type { AlertsConfig } from './alerts.settings.ts';
import type { Alerts } from './alerts.ts';
import { badRule, deliveryFailed, noMailServer, notFound, readOnly } from './errors.ts';
import { REPORT_PERIODS, type ReportPeriod } from './report-specs.ts';
import { webhookUrlProblem } from './webhook-target.ts';

type Body = { Body: Record<string, unknown> | undefined };

interface ReportBody {
  project?: string;
  period?: ReportPeriod | null;
  to?: string | string[];
  tz?: string | null;
}

/** `POST /api/v1/reports/send`: shapes and lengths; which projects and zones exist is checked in the route. */
const reportBody = {
  type: 'object',
  properties: {
    project: { type: 'string', maxLength: 200, hint: 'must be the name of a site' },
    // null, as absent, is the default (a week, UTC), as it always was.
    period: { type: ['string', 'null'], enum: [...REPORT_PERIODS, null], hint: '"week" or "month"' },
    to: {
      type: ['string', 'array'],
      maxLength: 320,
      minItems: 1,
      maxItems: 50,
      items: { type: 'string', maxLength: 320 },
      hint: 'one or more e-mail addresses (at most 50)',
    },
    tz: { type: ['string', 'null'], maxLength: 64, hint: 'an IANA time zone, e.g. "Europe/Berlin"' },
  },
};

/** The history's filter; `limit` is clamped to 1-1000, never refused, as it always was. */
const historyParams = queryParams({ limit: text(16), rule: text(200) });

/** Problems as the alert routes word them: `field: message`. */
const worded = (request: FastifyRequest) => inputProblems(request).map((p) => `${p.param}: ${p.message}`);

const who = (scope: ReadScope) => (scope.kind === 'user' ? scope.email : 'admin token');

export async function alertsRoutes(
  app: FastifyInstance,
  deps: {
    config: Pick<AlertsConfig, 'alerts' | 'webhookAllow'> & Pick<SitesConfig, 'projects'>;
    alerts: Alerts;
    authenticate: ReturnType<typeof createReadAuth>;
    /** The sites of this moment (src/sites/site-registry.ts); without it, those of SIGHTLINE_PROJECTS. */
    projects?: () => readonly string[];
  },
): Promise<void> {
  const { alerts, authenticate } = deps;
  const { engine } = alerts;
  const configured = deps.config.projects.map((p) => p.name);
  // Read per request: a site added or deleted in the dashboard counts at once.
  const known = () => new Set(deps.projects?.() ?? configured);
  const admin = async (request: FastifyRequest) => {
    const scope = await authenticate(request);
    requireAdmin(scope);
    return scope;
  };

  app.get('/api/v1/alerts', async (request, reply) => {
    await admin(request);
    return reply.header('cache-control', 'no-store').send({
      results: (await engine.rulesWithState()) satisfies AlertRule[],
      email: alerts.hasMailer,
      projects: [...known()],
    });
  });

  app.post('/api/v1/alerts', async (request: FastifyRequest<Body>, reply) => {
    const scope = await admin(request);
    const problems: string[] = [];
    const { id: _id, ...body } = request.body && typeof request.body === 'object' ? request.body : {};
    const rule = parseRule(body, 'rule', problems, 'dashboard');
    const projects = known();
    if (rule?.project && !projects.has(rule.project))
      problems.push(`rule.project: must be one of ${[...projects].join(', ')}`);
    for (const [i, c] of (rule?.channels ?? []).entries()) {
      const why = c.type === 'webhook' ? await webhookUrlProblem(c.url, deps.config.webhookAllow) : undefined;
      if (why) problems.push(`rule.channels[${i}].url: ${why}`);
    }
    if (problems.length > 0 || !rule) throw badRule(problems);
    if (rule.channels.some((c) => c.type === 'email') && !alerts.hasMailer) throw noMailServer();
    return reply.code(201).send(await engine.alerts.addRule(rule, who(scope)));
  });

  app.delete('/api/v1/alerts/:id', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const scope = await admin(request);
    const { id } = request.params;
    if (deps.config.alerts.some((r) => r.id === id)) throw readOnly(id);
    if (!(await engine.alerts.deleteRule(id, who(scope)))) throw notFound(`no dashboard rule "${id}"`);
    return reply.code(204).send();
  });

  app.get('/api/v1/alerts/history', historyParams, async (request, reply) => {
    await admin(request);
    const problems = worded(request);
    if (problems.length > 0) throw badRule(problems);
    const query = inputOf<Query>(request, 'querystring');
    const limit = Math.min(1000, Math.max(1, Number(textOf(query, 'limit')) || 100));
    const rule = textOf(query, 'rule');
    return reply
      .header('cache-control', 'no-store')
      .send({ results: await engine.alerts.history(limit, rule) } satisfies Results<AlertHistoryEntry>);
  });

  app.post('/api/v1/alerts/:id/test', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    await admin(request);
    const result = await engine.test(request.params.id);
    if (!result) throw notFound(`no rule "${request.params.id}"`);
    return reply.send(result);
  });

  app.post('/api/v1/reports/send', routeSchema({ body: reportBody }), async (request, reply) => {
    await admin(request);
    const body = inputOf<ReportBody>(request, 'body');
    const problems = worded(request);
    const refused = (field: string) => problems.some((p) => p.startsWith(`${field}:`));
    const project = body.project;
    const projects = known();
    if (!refused('project') && (project === undefined || !projects.has(project)))
      problems.push(`project: must be one of ${[...projects].join(', ')}`);
    const period = body.period ?? 'week';
    const to = typeof body.to === 'string' ? [body.to] : body.to;
    if (!refused('to') && (to === undefined || !to.every(isEmail)))
      problems.push('to: one or more e-mail addresses');
    const tz = body.tz ?? 'UTC';
    if (!isTimeZone(tz)) problems.push('tz: an IANA time zone, e.g. "Europe/Berlin"');
    if (problems.length > 0) throw badRule(problems);
    if (!alerts.hasMailer) throw noMailServer();
    const sent = await alerts.reporter
      .send(project as string, period, to as string[], tz as string)
      .catch((err: Error) => {
        throw deliveryFailed(`the report could not be sent: ${err.message}`);
      });
    return reply.send({
      sent: true,
      recipients: to,
      from: new Date(sent.period.range.startMs).toISOString(),
      until: new Date(sent.period.range.endMs).toISOString(),
      numbers: sent.content.numbers,
    });
  });
}
