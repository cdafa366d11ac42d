/** Which project a request writes to, and whether it proved it may. */
import { timingSafeEqual } from 'node:crypto';
import type { ProjectSpec } from '../config/config.ts';
import { keyMissing, keyRequired, projectRequired, unknownProject, wrongKey } from './errors.ts';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class ProjectKeys {
  readonly #byName = new Map<string, ProjectSpec>();

  constructor(projects: readonly ProjectSpec[]) {
    for (const p of projects) this.#byName.set(p.name, p);
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
