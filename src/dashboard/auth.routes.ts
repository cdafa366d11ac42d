/**
 * Dashboard logins (admin token or e-mail + password → an httpOnly, SameSite=Strict session cookie), invitations,
 * and the admin's management of dashboard accounts.
 */

import { timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account, Me, Results } from '../query/api-types.ts';
import {
  badParams,
  invitationExpired,
  notFound,
  type ParamProblem,
  tooManyLogins,
  unauthenticated,
  wrongPassword,
} from '../query/errors.ts';
import type { QueryConfig } from '../query/query.settings.ts';
import { type createReadAuth, isAdminScope, requireAdmin, SESSION_COOKIE } from '../query/read-auth.ts';
import { send } from '../query/request-params.ts';
import { mapStoreErrors } from '../query/store-failures.ts';
import { inputOf, inputProblems, routeSchema } from '../server/route-schemas.ts';
import type { SitesConfig } from '../sites/sites.settings.ts';
import { type Accounts, ADMIN_TOKEN_USER, type Roles, SESSION_DAYS } from './accounts.ts';
import {
  type AccountBody,
  accountChangesBody,
  inviteBody,
  loginBody,
  MIN_PASSWORD,
  newAccountBody,
} from './auth.schemas.ts';
import { LoginLimiter } from './login-limiter.ts';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}$/;
/** Login attempts per client IP and minute: enough for typos, too few for guessing. */
const ATTEMPTS_PER_MINUTE = 10;

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `{role, projects}` as the admin sends it → stored roles. */
function rolesOf(body: AccountBody, known: Set<string>, problems: ParamProblem[]): Roles {
  const role = body.role;
  if (role !== 'admin' && role !== 'viewer') {
    problems.push({ param: 'role', message: 'must be admin or viewer' });
    return {};
  }
  const projects = body.projects ?? '*';
  if (projects === '*') return { '*': role };
  if (!Array.isArray(projects) || projects.length === 0 || !projects.every((p) => known.has(p))) {
    problems.push({ param: 'projects', message: `must be "*" or a list of ${[...known].join(', ')}` });
    return {};
  }
  return Object.fromEntries(projects.map((p) => [p, role]));
}

export async function authRoutes(
  app: FastifyInstance,
  deps: {
    config: Pick<QueryConfig, 'adminToken'> & Pick<SitesConfig, 'projects'>;
    accounts: Accounts;
    authenticate: ReturnType<typeof createReadAuth>;
    /** The sites as they are now (src/sites/site-registry.ts); SIGHTLINE_PROJECTS when absent. */
    projects?: () => readonly string[];
    /** A site's time zone (empty: the viewer's own), for the dashboard to report it in. */
    timeZoneOf?: (project: string) => string;
  },
): Promise<void> {
  mapStoreErrors(app);
  const { config, accounts, authenticate } = deps;
  const configured = config.projects.map((p) => p.name);
  const knownNow = () => new Set(deps.projects?.() ?? configured);
  const attempts = new LoginLimiter({ limit: ATTEMPTS_PER_MINUTE, capacity: 10_000, windowMs: 60_000 });

  const throttle = (request: FastifyRequest) => {
    if (!attempts.attempt(request.ip)) throw tooManyLogins();
  };

  const startSession = async (request: FastifyRequest, reply: FastifyReply, email: string) => {
    const session = await accounts.startSession(email);
    reply.setCookie(SESSION_COOKIE, session.token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
      maxAge: SESSION_DAYS * 86_400,
    });
  };

  app.post('/api/v1/auth/login', routeSchema({ body: loginBody }), async (request, reply) => {
    throttle(request);
    const problems = inputProblems(request);
    if (problems.length > 0) throw badParams(problems);
    const body = inputOf<AccountBody>(request, 'body');
    if (typeof body.token === 'string') {
      if (!config.adminToken || !sameSecret(body.token, config.adminToken))
        throw unauthenticated('that is not the admin token');
      await startSession(request, reply, ADMIN_TOKEN_USER.email);
      return send(reply, { email: '', name: ADMIN_TOKEN_USER.name, admin: true });
    }
    if (typeof body.email !== 'string' || typeof body.password !== 'string')
      throw badParams([
        { param: 'email', message: 'and password (or the admin token as "token") are required' },
      ]);
    const user = await accounts.verify(body.email.trim().toLowerCase(), body.password);
    if (!user) throw unauthenticated('wrong e-mail or password');
    await startSession(request, reply, user.email);
    return send(reply, { email: user.email, name: user.name, admin: user.roles['*'] === 'admin' });
  });

  app.post('/api/v1/auth/logout', async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await accounts.endSession(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  /** The sites' own time zones, for those of `projects` that have one. */
  const zonesOf = (projects: string[]) =>
    Object.fromEntries(projects.map((p) => [p, deps.timeZoneOf?.(p) ?? '']).filter(([, tz]) => tz !== ''));

  app.get('/api/v1/auth/me', async (request, reply) => {
    const scope = await authenticate(request);
    const all = [...knownNow()];
    if (scope.kind === 'admin')
      return send(reply, {
        email: '',
        name: 'Admin (token)',
        admin: true,
        projects: all,
        time_zones: zonesOf(all),
      } satisfies Me);
    if (scope.kind === 'user') {
      const account = scope.email ? await accounts.get(scope.email) : undefined;
      const projects = scope.projects ? all.filter((p) => scope.projects?.has(p)) : all;
      return send(reply, {
        email: scope.email,
        name: account?.name ?? ADMIN_TOKEN_USER.name,
        admin: scope.admin,
        projects,
        // Projects whose settings (goals, saved funnels) this account manages without being an admin of all.
        admin_of: all.filter((p) => scope.adminOf?.has(p)),
        time_zones: zonesOf(projects),
      } satisfies Me);
    }
    return send(reply, {
      email: '',
      name: 'Shared link',
      admin: false,
      projects: [scope.project],
      time_zones: zonesOf([scope.project]),
      shared: scope.kind === 'share',
    } satisfies Me);
  });

  app.post('/api/v1/auth/invite/accept', routeSchema({ body: inviteBody }), async (request, reply) => {
    throttle(request);
    const problems = inputProblems(request);
    if (problems.length > 0) throw badParams(problems);
    const { invite, password } = inputOf<AccountBody>(request, 'body');
    if (invite === undefined || password === undefined)
      throw badParams([
        {
          param: 'password',
          message: `must be at least ${MIN_PASSWORD} characters, sent with the invitation`,
        },
      ]);
    const result = await accounts.acceptInvite(invite, password);
    if (!result.ok && result.reason === 'expired') throw invitationExpired(result.expired);
    if (!result.ok) throw unauthenticated('the invitation is not valid (used already, or revoked)');
    await startSession(request, reply, result.account.email);
    return send(reply, { email: result.account.email, name: result.account.name });
  });

  app.get('/api/v1/dashboard/users', async (request, reply) => {
    requireAdmin(await authenticate(request));
    return send(reply, { results: await accounts.list() } satisfies Results<Account>);
  });

  app.post('/api/v1/dashboard/users', routeSchema({ body: newAccountBody }), async (request, reply) => {
    requireAdmin(await authenticate(request));
    const body = inputOf<AccountBody>(request, 'body');
    const problems: ParamProblem[] = inputProblems(request);
    const email = body.email?.trim().toLowerCase() ?? '';
    if (!EMAIL.test(email) && !problems.some((p) => p.param === 'email'))
      problems.push({ param: 'email', message: 'must be an e-mail address' });
    const name = body.name?.trim().slice(0, 200) ?? '';
    const password = body.password;
    const roles = rolesOf(body, knownNow(), problems);
    if (problems.length > 0) throw badParams(problems);
    const created = await accounts.create({
      email,
      name: name || email,
      roles,
      ...(password ? { password } : {}),
    });
    return reply
      .code(201)
      .header('cache-control', 'no-store')
      .send({
        ...created.account,
        // Shown once: the admin passes it on (e-mail delivery comes with SMTP settings).
        ...(created.invite ? { invite_url: `/invite#${created.invite}` } : {}),
      });
  });

  app.patch(
    '/api/v1/dashboard/users/:email',
    routeSchema({ body: accountChangesBody }),
    async (request: FastifyRequest<{ Params: { email: string } }>, reply) => {
      const scope = await authenticate(request);
      const email = request.params.email.toLowerCase();
      // Everyone may change their own password; everything else is the admin's (judged on the body as sent).
      const sent = (request.body ?? {}) as AccountBody;
      const self = scope.kind === 'user' && scope.email === email;
      if (!self || sent.role !== undefined || sent.name !== undefined) requireAdmin(scope);
      const body = inputOf<AccountBody>(request, 'body');
      const problems: ParamProblem[] = inputProblems(request);
      const password = body.password;
      const roles = body.role !== undefined ? rolesOf(body, knownNow(), problems) : undefined;
      const currentRefused = problems.some((p) => p.param === 'current_password');
      if (self && password !== undefined && body.current_password === undefined && !currentRefused)
        problems.push({ param: 'current_password', message: 'is required to change your own password' });
      if (problems.length > 0) throw badParams(problems);
      if (self && typeof password === 'string') {
        // A guessed current password is a login attempt: the same limit applies.
        throttle(request);
        const outcome = await accounts.changeOwnPassword(
          email,
          body.current_password as string,
          password,
          request.cookies[SESSION_COOKIE],
        );
        if (outcome === 'wrong-password') throw wrongPassword();
        if (outcome === 'unknown') throw notFound(`no dashboard user "${email}"`);
        if (body.role === undefined && body.name === undefined) return send(reply, await accounts.get(email));
      }
      const changed = await accounts.update(email, {
        ...(typeof body.name === 'string' ? { name: body.name.trim().slice(0, 200) } : {}),
        ...(roles ? { roles } : {}),
        ...(password && !self ? { password } : {}),
      });
      if (!changed) throw notFound(`no dashboard user "${email}"`);
      return send(reply, await accounts.get(email));
    },
  );

  app.delete(
    '/api/v1/dashboard/users/:email',
    async (request: FastifyRequest<{ Params: { email: string } }>, reply) => {
      const scope = await authenticate(request);
      requireAdmin(scope);
      const email = request.params.email.toLowerCase();
      if (scope.kind === 'user' && scope.email === email && isAdminScope(scope))
        throw badParams([{ param: 'email', message: 'you cannot remove your own account' }]);
      if (!(await accounts.remove(email))) throw notFound(`no dashboard user "${email}"`);
      return reply.code(204).send();
    },
  );
}
