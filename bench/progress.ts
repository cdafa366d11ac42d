/**
 * One progress line on stderr: which phase, seconds left. On a terminal it is redrawn in place; otherwise a line
 * is printed when the phase changes and every 5 s, so logs of CI runs stay short.
 */

export class Progress {
  #label = '';
  #endsAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastPrinted = 0;
  #tty = process.stderr.isTTY === true;
  #enabled: boolean;

  constructor(enabled: boolean) {
    this.#enabled = enabled;
  }

  /** Starts a phase; `seconds` is its planned length (undefined: open-ended, elapsed time is shown). */
  phase(label: string, seconds?: number): void {
    if (!this.#enabled) return;
    this.#label = label;
    this.#endsAt = seconds === undefined ? -Date.now() : Date.now() + seconds * 1000;
    this.#lastPrinted = 0;
    this.#draw();
    this.#timer ??= setInterval(() => this.#draw(), 500);
  }

  #text(): string {
    if (this.#endsAt < 0)
      return `[bench] ${this.#label} · ${Math.round((Date.now() + this.#endsAt) / 1000)} s`;
    const left = Math.max(0, Math.ceil((this.#endsAt - Date.now()) / 1000));
    return `[bench] ${this.#label} · ${left} s left`;
  }

  #draw(): void {
    if (this.#tty) {
      process.stderr.write(`\r\x1b[K${this.#text()}`);
    } else if (Date.now() - this.#lastPrinted >= 5000) {
      this.#lastPrinted = Date.now();
      process.stderr.write(`${this.#text()}\n`);
    }
  }

  /** Prints a message on its own line (the progress line is redrawn after it). */
  note(message: string): void {
    if (this.#tty && this.#timer) process.stderr.write('\r\x1b[K');
    process.stderr.write(`[bench] ${message}\n`);
  }

  done(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#enabled && this.#tty) process.stderr.write('\r\x1b[K');
  }
}
