/**
 * Admin-only API: `GET/POST /api/v1/alerts`, `DELETE /api/v1/alerts/:id`, `GET /api/v1/alerts/history`,
 * `POST /api/v1/alerts/:id/test` and `POST /api/v1/reports/send`. Rules from the config are listed read-only.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AlertHistoryEntry, AlertRule, Results } from '../query/api-types.ts';
import { type createReadAuth, type ReadScope, requireAdmin } from '../query/read-auth.ts';
import { isTimeZone } from '../query/time-range.ts';
import type { SitesConfig } from '../sites/sites.settings.ts';
import { isEmail } from './alert-channels.ts';
import { parseRule } from './alert-rules.ts';
import type { AlertsConfig } from './alerts.settings.ts';
import type { Alerts } from './alerts.ts';
import { badRule, deliveryFailed, noMailServer, notFound, readOnly } from './errors.ts';
import { REPORT_PERIODS, type ReportPeriod } from './report-specs.ts';
import { webhookUrlProblem } from './webhook-target.ts';

type Body = { Body: Record<string, unknown> | undefined };

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

  app.get(
    '/api/v1/alerts/history',
    async (request: FastifyRequest<{ Querystring: Record<string, string | undefined> }>, reply) => {
      await admin(request);
      const limit = Math.min(1000, Math.max(1, Number(request.query.limit) || 100));
      const rule = request.query.rule || undefined;
      return reply
        .header('cache-control', 'no-store')
        .send({ results: await engine.alerts.history(limit, rule) } satisfies Results<AlertHistoryEntry>);
    },
  );

  app.post('/api/v1/alerts/:id/test', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    await admin(request);
    const result = await engine.test(request.params.id);
    if (!result) throw notFound(`no rule "${request.params.id}"`);
    return reply.send(result);
  });

  app.post('/api/v1/reports/send', async (request: FastifyRequest<Body>, reply) => {
    await admin(request);
    const body = request.body && typeof request.body === 'object' ? request.body : {};
    const problems: string[] = [];
    const project = body.project;
    const projects = known();
    if (typeof project !== 'string' || !projects.has(project))
      problems.push(`project: must be one of ${[...projects].join(', ')}`);
    const period = (body.period ?? 'week') as ReportPeriod;
    if (!REPORT_PERIODS.includes(period)) problems.push('period: "week" or "month"');
    const to = typeof body.to === 'string' ? [body.to] : body.to;
    if (!Array.isArray(to) || to.length === 0 || !to.every(isEmail))
      problems.push('to: one or more e-mail addresses');
    const tz = body.tz ?? 'UTC';
    if (typeof tz !== 'string' || !isTimeZone(tz))
      problems.push('tz: an IANA time zone, e.g. "Europe/Berlin"');
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
