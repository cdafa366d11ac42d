/**
 * Which days get how much traffic: weekly rhythm, a growth trend, day-to-day noise, the odd front-page spike and
 * incident. Decided here in plain JS (a few hundred numbers) from the seed, then handed to the SQL that generates
 * the rows, so the same seed always plans the same year.
 */
import { startOfDay } from '../query/time-range.ts';
import { threshold } from './pick-tables.ts';
import type { SeedTables } from './tables.ts';
import {
  DAILY_NOISE,
  DB_CHANGES_PER_EVENT,
  INCIDENT_EVERY_DAYS,
  LOGS_PER_EVENT,
  SPIKE_EVERY_DAYS,
  WEEKDAY_FACTORS,
  YEARLY_GROWTH,
} from './world.ts';

export interface SeedDay {
  /** Local calendar day, `YYYY-MM-DD`. */
  date: string;
  /** UTC instant of the day's local midnight (ms). */
  startMs: number;
  weekend: boolean;
  expectedEvents: number;
  /** Visits are numbered across the whole plan; a day owns [firstVisit, firstVisit + visits). */
  firstVisit: number;
  visits: number;
  /** Share of the day's visits (threshold out of 4096) coming from `spikeSource` (1-based), 0 on usual days. */
  spikeThreshold: number;
  spikeSource: number;
  incident: boolean;
  firstLog: number;
  logs: number;
  firstChange: number;
  changes: number;
}

export interface SeedPlan {
  days: SeedDay[];
  /** Consecutive days inserted together, each chunk about `chunkEvents` events (at least one day). */
  chunks: SeedDay[][];
  expectedEvents: number;
  visits: number;
}

/** mulberry32: small, fast and good enough for a few hundred draws; the seed's high bits are folded in. */
export function prng(seed: number): () => number {
  let a = ((seed % 0x100000000) ^ Math.imul(Math.floor(seed / 0x100000000), 0x9e3779b1) ^ 0x5eed5eed) | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** `YYYY-MM-DD` plus `n` days. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

export function planDays(options: {
  days: number;
  eventsPerDay: number;
  /** Last day, `YYYY-MM-DD`, in `tz`. */
  end: string;
  tz: string;
  seed: number;
  chunkEvents: number;
  tables: Pick<SeedTables, 'eventsPerVisit' | 'eventsPerVisitBySource' | 'spikeSources'>;
}): SeedPlan {
  const { days, eventsPerDay, tz, tables } = options;
  const rand = prng(options.seed);
  const raw: Array<{
    date: string;
    weight: number;
    spikeShare: number;
    spikeSource: number;
    incident: boolean;
  }> = [];
  for (let i = 0; i < days; i++) {
    const date = addDays(options.end, i - (days - 1));
    const [y, m, d] = date.split('-').map(Number);
    const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
    const trend = YEARLY_GROWTH ** ((i - (days - 1)) / 365);
    const noise = Math.exp(DAILY_NOISE * gaussian(rand) - (DAILY_NOISE * DAILY_NOISE) / 2);
    let weight = WEEKDAY_FACTORS[weekday] * trend * noise;
    let spikeShare = 0;
    let spikeSource = 0;
    if (rand() < 1 / SPIKE_EVERY_DAYS) {
      const boost = 1.8 + 1.7 * rand();
      spikeShare = (boost - 1) / boost;
      spikeSource = tables.spikeSources[Math.floor(rand() * tables.spikeSources.length)];
      weight *= boost;
    }
    const incident = rand() < 1 / INCIDENT_EVERY_DAYS;
    raw.push({ date, weight, spikeShare, spikeSource, incident });
  }
  // The average day gets exactly the requested volume; the shape above only moves it between days.
  const meanWeight = raw.reduce((a, r) => a + r.weight, 0) / days;
  const out: SeedDay[] = [];
  let visit = 0;
  let log = 0;
  let change = 0;
  for (const r of raw) {
    const [y, m, d] = r.date.split('-').map(Number);
    const expectedEvents = (eventsPerDay * r.weight) / meanWeight;
    const spikeThreshold = threshold(r.spikeShare);
    const share = spikeThreshold / 4096;
    const perVisit =
      (1 - share) * tables.eventsPerVisit +
      (r.spikeSource > 0 ? share * tables.eventsPerVisitBySource[r.spikeSource - 1] : 0);
    const visits = Math.max(1, Math.round(expectedEvents / perVisit));
    const logs = Math.max(3, Math.round(expectedEvents * LOGS_PER_EVENT));
    const changes = Math.max(2, Math.round(expectedEvents * DB_CHANGES_PER_EVENT));
    const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
    out.push({
      date: r.date,
      startMs: startOfDay(y, m, d, tz),
      weekend: weekday >= 5,
      expectedEvents: visits * perVisit,
      firstVisit: visit,
      visits,
      spikeThreshold,
      spikeSource: r.spikeSource || 1,
      incident: r.incident,
      firstLog: log,
      logs,
      firstChange: change,
      changes,
    });
    visit += visits;
    log += logs;
    change += changes;
  }
  const chunks: SeedDay[][] = [];
  let current: SeedDay[] = [];
  let size = 0;
  for (const day of out) {
    // A small first chunk: the progress shows a measured rate and an ETA early.
    const limit = chunks.length === 0 ? options.chunkEvents / 6 : options.chunkEvents;
    if (current.length > 0 && size + day.expectedEvents > limit) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(day);
    size += day.expectedEvents;
  }
  if (current.length > 0) chunks.push(current);
  return { days: out, chunks, expectedEvents: out.reduce((a, d) => a + d.expectedEvents, 0), visits: visit };
}
