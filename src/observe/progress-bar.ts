/**
 * Progress of long work on stderr (seeding, backups, exports, replays, the CDC snapshot): a bar with the share done,
 * the rate and the time left. On a terminal it is redrawn in place several times a second (so elapsed time and ETA
 * keep moving while one large insert runs); elsewhere (CI logs, pipes) it prints a plain line at most every few
 * seconds and at the end.
 */

export interface ProgressState {
  label: string;
  done: number;
  total: number;
  /** Milliseconds since the work started. */
  elapsedMs: number;
  unit: string;
  /** Units a second so far (0: not known yet). */
  perSecond: number;
  /** Time left, ms (undefined: not known yet). */
  etaMs: number | undefined;
}

const WIDTH = 24;

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function rate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k`;
  return `${Math.round(perSecond)}`;
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The parts every rendering shares: percent, counts, rate and time left. */
function figures(s: ProgressState): { percent: number; counts: string; speed: string; eta: string } {
  const fraction = s.total > 0 ? Math.min(1, s.done / s.total) : 1;
  return {
    percent: Math.floor(fraction * 100),
    counts: `${count(s.done)} / ${count(s.total)} ${s.unit}`,
    speed: s.perSecond > 0 ? `${rate(s.perSecond)} ${s.unit}/s` : `… ${s.unit}/s`,
    eta: fraction >= 1 ? 'done' : s.etaMs === undefined ? 'ETA …' : `ETA ${duration(s.etaMs)}`,
  };
}

/** One redrawable terminal line: `label [██████░░░░] 42% 3,100,000 / 7,300,000 events 1.20 M events/s ETA 3s`. */
export function renderBar(s: ProgressState): string {
  const f = figures(s);
  const filled = Math.round((f.percent / 100) * WIDTH);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`;
  return `${s.label} [${bar}] ${String(f.percent).padStart(3)}%  ${f.counts}  ${f.speed}  ${f.eta}  (${duration(s.elapsedMs)})`;
}

/** A log line for non-terminals: `label: 42% (3,100,000 / 7,300,000 events), 1.20 M events/s, ETA 3s`. */
export function renderLine(s: ProgressState): string {
  const f = figures(s);
  return `${s.label}: ${f.percent}% (${f.counts}), ${f.speed}, ${f.eta}`;
}

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

export class ProgressBar {
  readonly #out: ProgressOutput;
  readonly #tty: boolean;
  readonly #unit: string;
  #label = '';
  #done = 0;
  #total = 0;
  #startedAt = 0;
  #updatedAt = 0;
  #perSecond = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastLine = 0;
  #lastText = '';

  constructor(out: ProgressOutput, unit: string) {
    this.#out = out;
    this.#tty = out.isTTY === true;
    this.#unit = unit;
  }

  /** Starts (or continues) showing `label`; `done` of `total` units are finished. */
  update(label: string, done: number, total: number): void {
    const now = Date.now();
    if (this.#startedAt === 0) {
      this.#startedAt = now;
      if (this.#tty) {
        this.#timer = setInterval(() => this.#draw(false), 250);
        this.#timer.unref();
      }
    }
    this.#label = label;
    this.#done = done;
    this.#total = total;
    this.#updatedAt = now;
    // The rate of the work finished so far; between updates it holds, and the time left counts down from it.
    if (done > 0 && now > this.#startedAt) this.#perSecond = (done * 1000) / (now - this.#startedAt);
    this.#draw(done >= total);
  }

  /** A message on its own line, the bar redrawn below it. */
  note(message: string): void {
    if (this.#tty && this.#startedAt) this.#out.write('\r\x1b[K');
    this.#out.write(`${message}\n`);
    if (this.#startedAt) this.#draw(false);
  }

  state(now = Date.now()): ProgressState {
    const etaMs =
      this.#perSecond > 0
        ? Math.max(0, ((this.#total - this.#done) / this.#perSecond) * 1000 - (now - this.#updatedAt))
        : undefined;
    return {
      label: this.#label,
      done: this.#done,
      total: this.#total,
      elapsedMs: now - this.#startedAt,
      unit: this.#unit,
      perSecond: this.#perSecond,
      etaMs,
    };
  }

  #draw(force: boolean): void {
    if (this.#startedAt === 0) return;
    const s = this.state();
    if (this.#tty) {
      this.#out.write(`\r\x1b[K${renderBar(s)}`);
      return;
    }
    const text = renderLine(s);
    // Plain output: only when something moved, and not more often than every 2 s (the end always shows).
    if (text === this.#lastText || (!force && Date.now() - this.#lastLine < 2000)) return;
    this.#lastText = text;
    this.#lastLine = Date.now();
    this.#out.write(`${text}\n`);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#tty && this.#startedAt) this.#out.write('\n');
  }
}
