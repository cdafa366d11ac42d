import type { Target } from './read-auth.ts';

/**
 * The mandatory WHERE part of every read: project, tenant when scoped, time range. Fixed SQL text; every value is a
 * server-side parameter.
 */
export function scopeFilter(target: Target, range: boolean): { sql: string; params: Record<string, string> } {
  const parts = ['project = {project:String}'];
  const params: Record<string, string> = { project: target.project };
  if (target.tenant !== undefined) {
    parts.push('tenant_id = {tenant:String}');
    params.tenant = target.tenant;
  }
  if (range) parts.push("timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}");
  return { sql: parts.join(' AND '), params };
}
