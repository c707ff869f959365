/**
 * Read-time decay. The seed's step `intensity ← intensity × (1 − rate)` ran only on a manual call;
 * here it is a rate per period of elapsed time: effective = intensity × (1 − rate)^(elapsed / period),
 * computed by the query that reads (nothing is rewritten as time passes). A trail whose effective
 * intensity is below `minIntensity` is inactive, as a trail the seed's decay marked decayed.
 */
export interface DecaySettings {
  /** Fraction lost per period (the seed's decayRate default, 0.1). */
  rate: number;
  periodMs: number;
  /** Below this a trail is no longer active (the seed's minIntensity default, 0.01). */
  minIntensity: number;
}

/** 0.1 a minute: a trail of intensity 1 is active about 44 minutes, one of 10 about 66. */
/** Far enough ahead to never come, small enough to add to a time in a bigint. */
const FOREVER_MS = 2 ** 50;

export const DEFAULT_DECAY: DecaySettings = { rate: 0.1, periodMs: 60_000, minIntensity: 0.01 };

/** The intensity of a trail `elapsedMs` after its deposit (or after the last manual step). */
export function effectiveIntensity(intensity: number, elapsedMs: number, decay: DecaySettings = DEFAULT_DECAY) {
  return intensity * Math.pow(1 - decay.rate, Math.max(0, elapsedMs) / decay.periodMs);
}

/** How long a trail of this intensity stays at or above the minimum (0 when it starts below). */
export function lifetimeMs(intensity: number, decay: DecaySettings = DEFAULT_DECAY): number {
  if (!(intensity >= decay.minIntensity) || intensity <= 0) return 0;
  if (decay.rate <= 0) return FOREVER_MS;
  if (decay.rate >= 1) return 0;
  return Math.floor((decay.periodMs * Math.log(decay.minIntensity / intensity)) / Math.log(1 - decay.rate));
}

/**
 * How much sooner a trail expires after a manual step that multiplies its intensity by (1 − stepRate):
 * the same for every trail, so one UPDATE moves them all.
 */
export function stepShiftMs(stepRate: number, decay: DecaySettings = DEFAULT_DECAY): number {
  if (stepRate <= 0 || decay.rate <= 0) return 0;
  if (stepRate >= 1 || decay.rate >= 1) return FOREVER_MS;
  return Math.ceil((decay.periodMs * Math.log(1 - stepRate)) / Math.log(1 - decay.rate));
}
