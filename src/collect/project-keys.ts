/** Which project a request writes to, and whether it proved it may. */
import { timingSafeEqual } from 'node:crypto';
import type { ProjectSpec } from '../config/config.ts';
import {
  keyMissing,
  keyRequired,
  projectRequired,
  siteNotListed,
  unknownProject,
  wrongKey,
} from './errors.ts';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class ProjectKeys {
  readonly #byName = new Map<string, ProjectSpec>();
  readonly #sites: ReadonlyMap<string, string>;

  constructor(projects: readonly ProjectSpec[], sites: ReadonlyMap<string, string> = new Map()) {
    for (const p of projects) this.#byName.set(p.name, p);
    this.#sites = sites;
  }

  /**
   * Plausible's domain or Umami's website id → project. Those clients cannot send a key: a site maps to a keyed
   * project only when the operator listed it in SIGHTLINE_SITE_PROJECTS; otherwise to the keyless project of the
   * same name (for domains, also without a leading `www.`).
   */
  resolveSite(site: string | undefined): string {
    if (!site) throw projectRequired();
    const id = site.trim().toLowerCase();
    const listed = this.#sites.get(id) ?? this.#sites.get(id.replace(/^www\./, ''));
    if (listed) {
      if (!this.#byName.has(listed)) throw unknownProject(listed);
      return listed;
    }
    for (const candidate of [id, id.replace(/^www\./, '')]) {
      const project = this.#byName.get(candidate);
      if (project && project.key === undefined) return project.name;
      if (project) throw siteNotListed(project.name);
    }
    throw unknownProject(site);
  }

  /** Native protocol: the project is named (X-App / ?app=), the key proves it when the project has one. */
  authorize(name: string | undefined, key: string | undefined): string {
    if (!name) throw projectRequired();
    const project = this.#byName.get(name);
    if (!project) throw unknownProject(name);
    if (project.key === undefined) return project.name;
    if (!key) throw keyRequired(name);
    if (!sameSecret(project.key, key)) throw wrongKey();
    return project.name;
  }

  /**
   * Telemetry protocol: the key alone names the project — `project:key` as Nealytics writes it, a bare key,
   * or the bare name of a project that has no key.
   */
  authorizeKey(value: string | undefined, namedProject: string | undefined): string {
    if (!value) {
      if (namedProject) return this.authorize(namedProject, undefined);
      throw keyMissing();
    }
    const colon = value.indexOf(':');
    if (colon > 0) return this.authorize(value.slice(0, colon), value.slice(colon + 1));
    for (const p of this.#byName.values()) if (p.key !== undefined && sameSecret(p.key, value)) return p.name;
    const byName = this.#byName.get(value);
    if (byName) return this.authorize(byName.name, undefined);
    throw wrongKey();
  }
}
