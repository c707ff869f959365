/**
 * Time as the scheduler reads it. Every service that reads time (slots, catch-up, backoff, deadlines)
 * takes a Clock, so tests can drive it: `fakeClock()` moves only when told, `acceleratedClock()` runs
 * simulated minutes in a few real milliseconds (the kill -9 test) and keeps counting across restarts
 * because it is anchored to a fixed real instant.
 */
export interface Clock {
  /** Milliseconds since the epoch, as the scheduler sees them. */
  now(): number;
  /** Run `fn` after `ms` of this clock's time (real timers underneath; unref'd). */
  setTimeout(fn: () => void, ms: number): { cancel(): void };
  /** Resolve after `ms` of this clock's time. */
  sleep(ms: number): Promise<void>;
}

function realTimer(fn: () => void, realMs: number): { cancel(): void } {
  const timer = setTimeout(fn, Math.max(0, realMs));
  timer.unref?.();
  return { cancel: () => clearTimeout(timer) };
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => realTimer(fn, ms),
  sleep: (ms) => new Promise((resolve) => realTimer(resolve, ms)),
};

/**
 * Simulated time: `startAt` at the real instant `anchor`, then one simulated minute every
 * `msPerMinute` real milliseconds. For tests only (plugins.scheduler.testClock).
 */
export function acceleratedClock(options: { startAt: number; anchor: number; msPerMinute: number }): Clock {
  const rate = 60_000 / options.msPerMinute;
  const toReal = (ms: number) => ms / rate;
  return {
    now: () => Math.floor(options.startAt + (Date.now() - options.anchor) * rate),
    setTimeout: (fn, ms) => realTimer(fn, toReal(ms)),
    sleep: (ms) => new Promise((resolve) => realTimer(resolve, toReal(ms))),
  };
}

/** A clock that moves only when the test says: timers fire as `advance` passes their time. */
export interface FakeClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

export function fakeClock(startAt: number): FakeClock {
  let now = startAt;
  let timers: { at: number; fn: () => void }[] = [];
  const fire = () => {
    const due = timers.filter((timer) => timer.at <= now).sort((a, b) => a.at - b.at);
    timers = timers.filter((timer) => timer.at > now);
    for (const timer of due) timer.fn();
  };
  const clock: FakeClock = {
    now: () => now,
    setTimeout(fn, ms) {
      const timer = { at: now + Math.max(0, ms), fn };
      timers.push(timer);
      return { cancel: () => (timers = timers.filter((other) => other !== timer)) };
    },
    sleep: (ms) => new Promise((resolve) => clock.setTimeout(resolve, ms)),
    set(ms) {
      now = ms;
      fire();
    },
    advance(ms) {
      now += ms;
      fire();
    },
  };
  return clock;
}
