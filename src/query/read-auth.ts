/**
 * Who is reading: the admin token (everything), a JWT (HS256, with `exp`) whose `project_id` and optional
 * `tenant_id` claims become mandatory filters, a share link's token (aggregate stats of one project, read-only),
 * or a dashboard login. A scope never widens: asking for another project or tenant is a 403, and data that has no
 * tenant (logs, database changes) is a 403 for a tenant-scoped caller.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { errors as joseErrors, jwtVerify } from 'jose';
import { forbidden, tenantScoped, unauthenticated } from './errors.ts';
import { SHARE_PREFIX } from './share-links.ts';

export type ReadScope =
  | { kind: 'admin' }
  | { kind: 'jwt'; project: string; tenant?: string }
  /** A share link, or (`shareId` `public`) anyone reading a site marked public: the same aggregates-only scope. */
  | { kind: 'share'; project: string; tenant?: string; shareId: string }
  /** A dashboard login (session cookie): `projects` undefined = every project. */
  | {
      kind: 'user';
      email: string;
      admin: boolean;
      projects: Set<string> | undefined;
      /** Projects this account is an admin of (a role `admin` for the project itself); `admin` covers every one. */
      adminOf?: ReadonlySet<string>;
    };

/** The dashboard's session cookie; requests it authenticates that change something must also carry CSRF_HEADER. */
export const SESSION_COOKIE = 'sightline_session';
export const CSRF_HEADER = 'x-sightline-csrf';

export type SessionResolver = (
  token: string,
) => Promise<{ email: string; roles: Record<string, string> } | undefined>;

/** Finds the live share link of a token (see share-links.ts). */
export type ShareResolver = (
  token: string,
) => Promise<{ id: string; project: string; tenant?: string } | undefined>;

export interface ReadAuthConfig {
  adminToken: string | undefined;
  jwtSecret: string | undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createReadAuth(
  config: ReadAuthConfig,
  resolvers: {
    share?: ShareResolver;
    session?: SessionResolver;
    /** Whether a site is marked public (src/sites/site-registry.ts): read without a credential, as a share link. */
    publicSite?: (project: string) => boolean;
  } = {},
) {
  const key = config.jwtSecret ? new TextEncoder().encode(config.jwtSecret) : undefined;
  const resolveShare = resolvers.share;
  return async function authenticate(request: FastifyRequest): Promise<ReadScope> {
    const header = request.headers.authorization;
    const cookie = (request as FastifyRequest & { cookies?: Record<string, string | undefined> }).cookies?.[
      SESSION_COOKIE
    ];
    if (!header && cookie && resolvers.session) return sessionScope(request, cookie, resolvers.session);
    // Public dashboards carry their share token in the URL (`?auth=sls_…`), as Plausible's shared links do.
    const shared = (request.query as Record<string, unknown> | undefined)?.auth;
    if (!header && typeof shared === 'string' && shared.startsWith(SHARE_PREFIX))
      return shareScope(shared, resolveShare);
    const asked = (request.query as Record<string, unknown> | undefined)?.project;
    if (!header && typeof asked === 'string' && resolvers.publicSite?.(asked))
      return { kind: 'share', project: asked, shareId: 'public' };
    if (!header) throw unauthenticated('not logged in and no Authorization header');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthenticated('the Authorization header is not "Bearer <token>"');
    const token = match[1];
    if (config.adminToken && sameSecret(token, config.adminToken)) return { kind: 'admin' };
    if (token.startsWith(SHARE_PREFIX)) return shareScope(token, resolveShare);
    if (!key || token.split('.').length !== 3) throw unauthenticated('the token is not valid');
    let payload: Record<string, unknown>;
    try {
      // A token that never expires is a password that can never be changed: `exp` is required.
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        clockTolerance: 30,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw unauthenticated('the token has expired');
      if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'exp')
        throw unauthenticated('the token has no valid exp claim (read JWTs must expire)');
      throw unauthenticated('the token is not valid');
    }
    if (typeof payload.project_id !== 'string' || payload.project_id === '')
      throw unauthenticated('the token has no project_id claim');
    const tenant = payload.tenant_id;
    // An empty tenant would read as "no tenant", i.e. every tenant: a claim that is there must name one.
    if (tenant !== undefined && (typeof tenant !== 'string' || tenant === ''))
      throw unauthenticated(
        'the tenant_id claim must be a non-empty string (leave it out for a token of the whole project)',
      );
    return { kind: 'jwt', project: payload.project_id, ...(tenant !== undefined ? { tenant } : {}) };
  };
}

async function sessionScope(
  request: FastifyRequest,
  cookie: string,
  resolve: SessionResolver,
): Promise<ReadScope> {
  const user = await resolve(cookie);
  if (!user) throw unauthenticated('the dashboard session has ended; log in again');
  // SameSite cookies already stay home; the custom header (which forms and other sites cannot send) makes sure.
  if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method) && request.headers[CSRF_HEADER] !== '1')
    throw forbidden(`requests that change something need the header "${CSRF_HEADER}: 1"`);
  const all = user.roles['*'] !== undefined;
  return {
    kind: 'user',
    email: user.email,
    admin: user.roles['*'] === 'admin',
    projects: all ? undefined : new Set(Object.keys(user.roles)),
    adminOf: new Set(Object.keys(user.roles).filter((p) => p !== '*' && user.roles[p] === 'admin')),
  };
}

async function shareScope(token: string, resolve: ShareResolver | undefined): Promise<ReadScope> {
  const link = resolve ? await resolve(token) : undefined;
  if (!link) throw unauthenticated('the share link is not valid (revoked or mistyped)');
  return {
    kind: 'share',
    project: link.project,
    ...(link.tenant ? { tenant: link.tenant } : {}),
    shareId: link.id,
  };
}

/** Individual rows (users, visits, raw events) and settings are not for share links: aggregates only. */
export function requireMember(scope: ReadScope): void {
  if (scope.kind === 'share') throw forbidden('a share link reads aggregate stats only');
}

/** The tenant a caller is held to (a JWT's `tenant_id`, a share link made for one tenant), if any. */
export function scopeTenant(scope: ReadScope): string | undefined {
  return scope.kind === 'jwt' || scope.kind === 'share' ? scope.tenant : undefined;
}

/** For data without a tenant column: a tenant-scoped caller gets 403 rather than every tenant's rows. */
export function requireWholeProject(scope: ReadScope, what: string): void {
  if (scopeTenant(scope) !== undefined) throw tenantScoped(what);
}

export function isAdminScope(scope: ReadScope): boolean {
  return scope.kind === 'admin' || (scope.kind === 'user' && scope.admin);
}

export function requireAdmin(scope: ReadScope): void {
  if (!isAdminScope(scope)) throw forbidden('this needs the admin token or an admin login');
}

/** The settings of one project (its goals, saved funnels): an admin, or an account that is admin of that project. */
export function requireProjectAdmin(scope: ReadScope, project: string): void {
  if (isAdminScope(scope)) return;
  if (scope.kind === 'user' && scope.adminOf?.has(project)) return;
  throw forbidden(`this needs the admin token or an admin login for project "${project}"`);
}

export interface Target {
  project: string;
  /** Undefined = all tenants of the project. */
  tenant?: string;
}

/** The rows a request may read: its scope narrowed by what it asked for, never widened. */
export function resolveTarget(
  scope: ReadScope,
  project: string | undefined,
  tenant: string | undefined,
): Target | undefined {
  if (scope.kind === 'admin') return project ? { project, ...(tenant ? { tenant } : {}) } : undefined;
  if (scope.kind === 'user') {
    if (project && scope.projects && !scope.projects.has(project))
      throw forbidden(`your account cannot read project "${project}"`);
    const only = scope.projects?.size === 1 ? [...scope.projects][0] : undefined;
    const chosen = project ?? only;
    return chosen ? { project: chosen, ...(tenant ? { tenant } : {}) } : undefined;
  }
  if (project && project !== scope.project)
    throw forbidden(`this token reads project "${scope.project}" only`);
  if (scope.tenant !== undefined && tenant !== undefined && tenant !== scope.tenant)
    throw forbidden(`this token reads tenant "${scope.tenant}" only`);
  const held = scope.tenant ?? tenant;
  return { project: scope.project, ...(held !== undefined ? { tenant: held } : {}) };
}
