/** What a person starting Sightline at a terminal needs first: where it answers, where the admin token is, what it counts. */
import path from 'node:path';

export interface BannerInfo {
  /** `serve`, `collect`, `process`, `api`. */
  name: string;
  url: string;
  roles: readonly string[];
  projects: readonly string[];
  /** With the `api` role: the token's file, or undefined when SIGHTLINE_ADMIN_TOKEN sets it. */
  adminTokenFile?: string;
  dashboard: boolean;
}

/** The admin token's file as `resolveAdminToken` uses it (undefined when it comes from the environment). */
export function adminTokenFileOf(config: { adminToken?: string; dataDir: string }): string | undefined {
  return config.adminToken ? undefined : path.join(config.dataDir, 'admin-token');
}

export function startBanner(info: BannerInfo): string {
  const api = info.roles.includes('api');
  const rows: Array<[string, string]> = [];
  if (api && info.dashboard) rows.push(['Dashboard', `${info.url}/`]);
  if (api) rows.push(['Read API', `${info.url}/api/v1/stats/overview?project=${info.projects[0] ?? ''}`]);
  if (info.roles.includes('collect')) rows.push(['Collector', `${info.url}/  (X-App: <project>)`]);
  if (api)
    rows.push([
      'Admin token',
      info.adminTokenFile ? `${info.adminTokenFile}  (cat it to log in)` : 'from SIGHTLINE_ADMIN_TOKEN',
    ]);
  rows.push(['Projects', info.projects.join(', ') || '(none)']);
  if (info.name !== 'serve') rows.push(['Roles', info.roles.join(', ')]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return `\n  Sightline ${info.name} is running\n\n${rows.map(([k, v]) => `    ${k.padEnd(width)}  ${v}`).join('\n')}\n\n`;
}
