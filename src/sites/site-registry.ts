/**
 * The sites every part of a process works from: those of SIGHTLINE_PROJECTS (always there, "managed by
 * configuration") and those in the store (`sites`, `site_keys`). Reloaded every few seconds, and at once after a
 * change made in this process, so the collector follows additions, edits, key rotations and deletions without a
 * restart. When the store cannot be read, the last snapshot stays in force.
 */

import type { Logger } from '../observe/logger.ts';
import type { Store } from '../store/store.ts';
import { defaultSettings } from './site-fields.ts';
import { type KeyRow, readKeys, readSites, type SiteRow, writeSite } from './site-store.ts';
import type { ProjectSpec } from './sites.settings.ts';
import { hashWriteKey, shownPart } from './write-keys.ts';

export interface KeyView {
  id: string;
  prefix: string;
  createdAt?: number;
  /** When a rotated key stops working. */
  expiresAt?: number;
  /** The key of SIGHTLINE_PROJECTS (`app:KEY`): changed there only. */
  managed: boolean;
}

export interface SiteView extends SiteRow {
  /** No key needed (a SIGHTLINE_PROJECTS entry without one). */
  keyless: boolean;
  keys: KeyView[];
}

export const CONFIGURED_KEY_ID = 'configured';

/** One site as the collector checks writes against it: the hashes of its keys, its domains and origins. */
export interface KeyedSite {
  name: string;
  /** A SIGHTLINE_PROJECTS entry without a key: anyone may write to it. */
  keyless: boolean;
  /** SHA-256 (hex) of each key; a rotated key carries when its grace period ends. */
  keys: ReadonlyArray<{ hash: string; expiresAt?: number }>;
  /** Host names: Plausible's domain / Umami's id resolves to this site through them. */
  domains: readonly string[];
  /** Browser origins that may send; empty = any. */
  origins: readonly string[];
}

/** Where each new snapshot of the keyed sites goes: the collector's `ProjectKeys` (src/collect/project-keys.ts). */
export interface KeyedSitesSink {
  replace(sites: readonly KeyedSite[]): void;
}

export interface SiteRegistryOptions {
  projects: readonly ProjectSpec[];
  /** The collector's keys, given every snapshot; absent in a process that collects nothing. */
  keys?: KeyedSitesSink;
  /** Absent in a collector that cannot reach a store: the configured projects only. */
  store?: Store;
  logger?: Logger;
  refreshMs: number;
  now?: () => number;
}

export class SiteRegistry {
  readonly #options: SiteRegistryOptions;
  readonly #now: () => number;
  #sites: SiteView[] = [];
  #timer: NodeJS.Timeout | undefined;
  #loading: Promise<void> | undefined;

  constructor(options: SiteRegistryOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#install([], []);
  }

  /** Every site, managed ones first in configuration order, then the store's by name. */
  list(): readonly SiteView[] {
    return this.#sites;
  }

  get(name: string): SiteView | undefined {
    return this.#sites.find((s) => s.name === name);
  }

  names(): string[] {
    return this.#sites.map((s) => s.name);
  }

  #install(rows: readonly SiteRow[], keys: readonly KeyRow[]): void {
    const now = this.#now();
    const stored = new Map(rows.map((r) => [r.name, r]));
    const keysOf = (site: string): KeyView[] =>
      keys
        .filter((k) => k.site === site)
        .map((k) => ({
          id: k.id,
          prefix: k.prefix,
          createdAt: k.createdAt,
          ...(k.expiresAt !== undefined ? { expiresAt: k.expiresAt } : {}),
          managed: false,
        }));
    const sites: SiteView[] = [];
    const configured = new Set<string>();
    for (const p of this.#options.projects) {
      configured.add(p.name);
      const row = stored.get(p.name) ?? {
        name: p.name,
        ...defaultSettings(p.name),
        managed: true,
        createdAt: now,
        updatedAt: now,
      };
      sites.push({
        ...row,
        managed: true,
        keyless: p.key === undefined,
        keys: [
          ...(p.key !== undefined
            ? [{ id: CONFIGURED_KEY_ID, prefix: shownPart(p.key), managed: true }]
            : []),
          ...keysOf(p.name),
        ],
      });
    }
    for (const row of rows)
      if (!configured.has(row.name))
        sites.push({ ...row, managed: false, keyless: false, keys: keysOf(row.name) });
    const configKeys = new Map(this.#options.projects.map((p) => [p.name, p.key]));
    const keyed: KeyedSite[] = sites.map((s) => {
      const configKey = configKeys.get(s.name);
      return {
        name: s.name,
        keyless: s.keyless,
        keys: [
          ...(configKey !== undefined ? [{ hash: hashWriteKey(configKey) }] : []),
          ...keys
            .filter((k) => k.site === s.name)
            .map((k) => ({ hash: k.hash, ...(k.expiresAt !== undefined ? { expiresAt: k.expiresAt } : {}) })),
        ],
        domains: s.domains,
        origins: s.allowedOrigins,
      };
    });
    this.#sites = sites;
    this.#options.keys?.replace(keyed);
  }

  /**
   * Reads the store again. Reads run one after another, and each starts after the call: a caller that has just
   * written (a revoked key) never gets the answer of a read that began before its write.
   */
  refresh(): Promise<void> {
    const store = this.#options.store;
    if (!store) return Promise.resolve();
    const read = async () => {
      const [rows, keys] = await Promise.all([readSites(store), readKeys(store, this.#now())]);
      this.#install(rows, keys);
    };
    const next = (this.#loading ?? Promise.resolve()).then(read, read);
    this.#loading = next;
    const clear = () => {
      if (this.#loading === next) this.#loading = undefined;
    };
    next.then(clear, clear);
    return next;
  }

  /**
   * Writes the projects of SIGHTLINE_PROJECTS as managed sites (keeping what an admin set on an existing row), and
   * releases sites that configuration no longer names: they become editable, their data stays.
   */
  async syncConfigured(): Promise<void> {
    const store = this.#options.store;
    if (!store) return;
    const rows = await readSites(store);
    const byName = new Map(rows.map((r) => [r.name, r]));
    const configured = new Set(this.#options.projects.map((p) => p.name));
    const now = this.#now();
    for (const p of this.#options.projects) {
      const row = byName.get(p.name);
      if (row?.managed) continue;
      await writeSite(
        store,
        row
          ? { ...row, managed: true, updatedAt: now }
          : { name: p.name, ...defaultSettings(p.name), managed: true, createdAt: now, updatedAt: now },
      );
    }
    for (const row of rows)
      if (row.managed && !configured.has(row.name))
        await writeSite(store, { ...row, managed: false, updatedAt: now });
    await this.refresh();
  }

  start(): void {
    if (!this.#options.store || this.#timer || this.#options.refreshMs <= 0) return;
    this.#timer = setInterval(() => {
      this.refresh().catch((err) =>
        this.#options.logger?.warn(
          { err: (err as Error).message },
          'sites could not be reloaded; the last ones stay in force',
        ),
      );
    }, this.#options.refreshMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
