/**
 * The time source a transport's timeouts run on. Real ports use the system clock; an in-memory cable to an
 * emulator can use a VirtualClock so that a timeout fires only when the device really has nothing more to say,
 * however slowly a loaded machine runs the test.
 */
export interface Clock {
  now(): number;
  /** Call `fn` after `ms` of this clock's time; returns a handle for `cancel`. */
  schedule(ms: number, fn: () => void): unknown;
  cancel(handle: unknown): void;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule: (ms, fn) => setTimeout(fn, ms),
  cancel: (handle) => clearTimeout(handle as NodeJS.Timeout),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

interface VirtualTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * Simulated time that advances only when the system it drives is idle: no bytes in flight on the cables that
 * report to it (`beginWork`/`endWork`) and every promise settled. Then it jumps to the earliest timer and fires
 * it. Outcomes depend only on the order of events, never on how fast the host runs them.
 */
export class VirtualClock implements Clock {
  private time = 0;
  private seq = 0;
  private inFlight = 0;
  private timers: VirtualTimer[] = [];
  private advancing = false;

  now(): number {
    return this.time;
  }

  schedule(ms: number, fn: () => void): unknown {
    const timer: VirtualTimer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    this.wake();
    return timer;
  }

  cancel(handle: unknown): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.schedule(ms, resolve));
  }

  /** A cable took bytes that have not been delivered yet: time must not move until they are. */
  beginWork(): void {
    this.inFlight++;
  }

  endWork(): void {
    this.inFlight--;
    this.wake();
  }

  private wake(): void {
    if (this.advancing || this.timers.length === 0) return;
    this.advancing = true;
    // A check-phase callback runs after every pending promise reaction, so "idle" here means truly idle.
    setImmediate(() => this.advance());
  }

  private advance(): void {
    this.advancing = false;
    if (this.inFlight > 0 || this.timers.length === 0) return; // endWork wakes us again
    let next = this.timers[0];
    for (const t of this.timers) if (t.at < next.at || (t.at === next.at && t.seq < next.seq)) next = t;
    this.timers = this.timers.filter((t) => t !== next);
    this.time = Math.max(this.time, next.at);
    next.fn();
    this.wake();
  }
}
