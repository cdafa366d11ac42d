/**
 * The life of one consumer-group member, as an explicit state machine. A member joins (subscribes and gets its
 * stream), runs, and on any sign that its client went quietly idle restarts: it finishes the batch in hand, drops
 * the client and joins again as a new member. Each restart starts a new generation; callbacks of an older client
 * or stream carry their generation and stand down when it is no longer current.
 *
 *   joining ──joined──▶ running
 *      ▲  ╲               │
 *      │   ╲──restart──▶ restarting ◀──restart── running
 *      └────rejoin─────────┘
 *   any ──stop──▶ stopping ──stopped──▶ stopped
 */
export const MemberState = {
  /** Subscribing (retrying with fresh clients until the group takes it); no stream yet. */
  Joining: 'joining',
  /** The stream delivers messages; batches are stored and committed. */
  Running: 'running',
  /** Finishing the batch in hand and dropping the old client before joining again. */
  Restarting: 'restarting',
  /** stop() was called: no new work starts, the work in hand ends. */
  Stopping: 'stopping',
  Stopped: 'stopped',
} as const;
export type MemberState = (typeof MemberState)[keyof typeof MemberState];

const NEXT: Record<MemberState, readonly MemberState[]> = {
  joining: ['running', 'restarting', 'stopping'],
  running: ['restarting', 'stopping'],
  restarting: ['joining', 'stopping'],
  stopping: ['stopped'],
  stopped: [],
};

export class MemberLifecycle {
  #state: MemberState = MemberState.Joining;
  #generation = 0;

  get state(): MemberState {
    return this.#state;
  }

  get generation(): number {
    return this.#generation;
  }

  /** Not stopping or stopped: the member still means to read. */
  get live(): boolean {
    return this.#state !== MemberState.Stopping && this.#state !== MemberState.Stopped;
  }

  /** Joining or running: a drain, a watchdog verdict or a restart may start (not while a restart is under way). */
  get active(): boolean {
    return this.#state === MemberState.Joining || this.#state === MemberState.Running;
  }

  /** Work started for generation `gen` may go on. */
  current(gen: number): boolean {
    return this.live && gen === this.#generation;
  }

  /** The stream of generation `gen` is open; false when that generation is over (the caller closes the stream). */
  joined(gen: number): boolean {
    if (!this.current(gen) || this.#state !== MemberState.Joining) return false;
    return this.#to(MemberState.Running);
  }

  /** Starts a restart and returns its generation, or undefined when one is under way or the member stops. */
  beginRestart(): number | undefined {
    if (!this.active) return undefined;
    this.#to(MemberState.Restarting);
    return ++this.#generation;
  }

  /** The old client is gone: join again (false when the member stopped meanwhile). */
  rejoin(gen: number): boolean {
    if (this.#state !== MemberState.Restarting || gen !== this.#generation) return false;
    return this.#to(MemberState.Joining);
  }

  stop(): void {
    if (this.live) this.#to(MemberState.Stopping);
  }

  stopped(): void {
    if (this.#state === MemberState.Stopping) this.#to(MemberState.Stopped);
  }

  #to(next: MemberState): boolean {
    if (!NEXT[this.#state].includes(next)) throw new Error(`member cannot go from ${this.#state} to ${next}`);
    this.#state = next;
    return true;
  }
}
