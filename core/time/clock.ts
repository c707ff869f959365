/**
 * Time as a plugin reads it (governance's deadlines and decay, leases' expiry). Services take a Clock so tests can
 * drive deadlines: `fakeClock()` moves only when the test advances it, and its timers fire then.
 */
export interface Clock {
  /** Milliseconds since the epoch, as the plugin sees them. */
  now(): number;
  /** Run `fn` once this clock reaches `at` (ms since the epoch); unref'd real timers underneath. */
  at(at: number, fn: () => void): { cancel(): void };
}

/** setTimeout's longest delay; a later instant is reached in hops. */
const MAX_DELAY = 2_147_483_647;

export const systemClock: Clock = {
  now: () => Date.now(),
  at(at, fn) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      const wait = at - Date.now();
      if (wait <= 0) return fn();
      timer = setTimeout(arm, Math.min(wait, MAX_DELAY));
      timer.unref?.();
    };
    arm();
    return { cancel: () => clearTimeout(timer) };
  },
};

/** A clock that moves only when the test says: timers fire, in time order, as `advance` passes them. */
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
  return {
    now: () => now,
    at(at, fn) {
      const timer = { at, fn };
      timers.push(timer);
      if (at <= now) queueMicrotask(fire);
      return { cancel: () => (timers = timers.filter((other) => other !== timer)) };
    },
    set(ms) {
      now = ms;
      fire();
    },
    advance(ms) {
      now += ms;
      fire();
    },
  };
}
