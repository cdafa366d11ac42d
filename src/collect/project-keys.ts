/**
 * Which project a request writes to, and whether it proved it may. The sites and their keys are a snapshot the
 * site registry replaces when sites change (src/sites/site-registry.ts), so the collector follows without a restart.
 */

import type { KeyedSite, KeyedSitesSink } from '../sites/site-registry.ts';
import type { ProjectSpec } from '../sites/sites.settings.ts';
import { hashWriteKey, sameHash } from '../sites/write-keys.ts';
import {
  keyMissing,
  keyRequired,
  originNotAllowed,
  projectRequired,
  siteNotListed,
  unknownProject,
  wrongKey,
} from './errors.ts';

export function keyedFromConfig(projects: readonly ProjectSpec[]): KeyedSite[] {
  return projects.map((p) => ({
    name: p.name,
    keyless: p.key === undefined,
    keys: p.key === undefined ? [] : [{ hash: hashWriteKey(p.key) }],
    domains: [],
    origins: [],
  }));
}

export class ProjectKeys implements KeyedSitesSink {
  #byName = new Map<string, KeyedSite>();
  #sites = new Map<string, string>();
  readonly #configured: ReadonlyMap<string, string>;
  readonly #now: () => number;

  /** @param configured SIGHTLINE_SITE_PROJECTS: site id → project; it wins over a site's own domains. */
  constructor(
    sites: readonly KeyedSite[],
    configured: ReadonlyMap<string, string> = new Map(),
    now: () => number = Date.now,
  ) {
    this.#configured = configured;
    this.#now = now;
    this.replace(sites);
  }

  static fromConfig(projects: readonly ProjectSpec[], sites?: ReadonlyMap<string, string>): ProjectKeys {
    return new ProjectKeys(keyedFromConfig(projects), sites);
  }

  /** Swaps in a new snapshot of the sites at once (one assignment each: a request sees the old or the new). */
  replace(sites: readonly KeyedSite[]): void {
    const byName = new Map<string, KeyedSite>();
    const domains = new Map<string, string>();
    for (const s of sites) {
      byName.set(s.name, s);
      for (const d of s.domains) if (!domains.has(d)) domains.set(d, s.name);
    }
    for (const [site, project] of this.#configured) domains.set(site, project);
    this.#byName = byName;
    this.#sites = domains;
  }

  #matches(site: KeyedSite, hash: string): boolean {
    const now = this.#now();
    return site.keys.some((k) => (k.expiresAt === undefined || k.expiresAt > now) && sameHash(k.hash, hash));
  }

  /**
   * Plausible's domain or Umami's website id → project. Those clients cannot send a key: a site maps to a keyed
   * project only when the operator listed it (SIGHTLINE_SITE_PROJECTS, or the site's domains); otherwise to the
   * keyless project of the same name (for domains, also without a leading `www.`).
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
      if (project?.keyless) return project.name;
      if (project) throw siteNotListed(project.name);
    }
    throw unknownProject(site);
  }

  /** Native protocol: the project is named (X-App / ?app=), the key proves it when the project has one. */
  authorize(name: string | undefined, key: string | undefined): string {
    if (!name) throw projectRequired();
    const project = this.#byName.get(name);
    if (!project) throw unknownProject(name);
    if (project.keyless) return project.name;
    if (!key) throw keyRequired(name);
    if (!this.#matches(project, hashWriteKey(key))) throw wrongKey();
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
    const hash = hashWriteKey(value);
    for (const p of this.#byName.values()) if (this.#matches(p, hash)) return p.name;
    const byName = this.#byName.get(value);
    if (byName) return this.authorize(byName.name, undefined);
    throw wrongKey();
  }

  /**
   * A browser request (it carries `Origin`) for a site that lists its origins must come from one of them. Requests
   * without `Origin` (servers, curl) are not browsers' and pass: they are held to the write key instead.
   */
  checkOrigin(project: string, origin: string | undefined): void {
    const origins = this.#byName.get(project)?.origins;
    if (!origins || origins.length === 0 || origin === undefined) return;
    if (!origins.includes(origin.toLowerCase())) throw originNotAllowed(project, origin);
  }
}
