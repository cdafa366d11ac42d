/** The sites configured by SIGHTLINE_PROJECTS, and how the site registry maps and reloads them. */

import { ConfigValueError, field, integer, type SettingsOf } from '../config/setting-fields.ts';

export interface ProjectSpec {
  name: string;
  /** Write key; when set, ingestion for this project must present it. */
  key: string | undefined;
}

export const PROJECT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

/** The seed's list form: `app,website`; a project may carry a write key: `app:KEY`. */
export function parseProjects(raw: string): ProjectSpec[] {
  const projects: ProjectSpec[] = [];
  for (const item of raw.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const [name, key, extra] = item.split(':');
    if (extra !== undefined)
      throw new ConfigValueError(`"${item}" has more than one ":" (use name or name:key)`);
    if (!PROJECT_NAME.test(name))
      throw new ConfigValueError(`project name "${name}" must be 1-64 letters, digits, ".", "_" or "-"`);
    if (key !== undefined && key.length < 8)
      throw new ConfigValueError(`write key of "${name}" must be at least 8 characters`);
    if (projects.some((p) => p.name === name))
      throw new ConfigValueError(`project "${name}" is listed twice`);
    projects.push({ name, key: key || undefined });
  }
  if (projects.length === 0) throw new ConfigValueError('at least one project is needed, e.g. "app,website"');
  return projects;
}

/** `site=project,site2=project2` → a map (site ids lower-cased: domains are case-insensitive). */
export function parseSiteProjects(raw: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const item of raw.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const [site, project, extra] = item.split('=');
    if (!site || !project || extra !== undefined)
      throw new ConfigValueError(`"${item}" is not site=project (e.g. example.com=website)`);
    if (!PROJECT_NAME.test(project))
      throw new ConfigValueError(`"${project}" in "${item}" is not a valid project name`);
    map.set(site.trim().toLowerCase(), project.trim());
  }
  return map;
}

export const sitesSettings = {
  projects: field({
    env: 'SIGHTLINE_PROJECTS',
    default: 'app,website',
    description:
      'Projects that may send data: `app,website`; `app:KEY` requires the write key `KEY`. Created as sites "managed by configuration" at start (read-only in the dashboard); more sites can be added under Settings → Sites.',
    parse: parseProjects,
  }),
  siteProjects: field({
    env: 'SIGHTLINE_SITE_PROJECTS',
    default: '',
    description:
      'Plausible domains and Umami website ids → projects: `example.com=website,4fb7…=shop`. Unlisted sites go to the project of the same name (keyed projects only when listed here).',
    parse: parseSiteProjects,
  }),
  sitesRefreshSeconds: field({
    env: 'SIGHTLINE_SITES_REFRESH_SECONDS',
    default: '5',
    description:
      'How often each process reloads the sites and write keys made in the dashboard or over the API (the process that made a change reloads at once); `0` = only at start and after its own changes.',
    parse: integer(0, 3_600),
  }),
};

export type SitesConfig = SettingsOf<typeof sitesSettings>;
