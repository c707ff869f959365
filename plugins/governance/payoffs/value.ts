import type { PayoffType } from './tables.js';

export interface PayoffTerms {
  payoffType: PayoffType;
  baseValue: number;
  multiplier: number;
  deadline: number | null;
  decayRate: number;
}

const HOUR = 3_600_000;
const cents = (value: number) => Math.round(value * 100) / 100;

/**
 * A payoff's value at `now` (the seed's formula): base × multiplier, and once `now` is past the
 * deadline, × max(0, 1 − overdueHours × decayRate). `decay` is what the deadline took (base ×
 * multiplier × the lost share; the seed counted the un-multiplied base). `signed` is what it pays:
 * a penalty row takes |value|, every other row pays its value (negative if its base is).
 */
export function payoffValue(terms: PayoffTerms, now: number): { value: number; decay: number; signed: number } {
  const full = terms.baseValue * terms.multiplier;
  let factor = 1;
  if (terms.deadline !== null && terms.decayRate > 0 && now > terms.deadline) {
    const overdueHours = (now - terms.deadline) / HOUR;
    factor = Math.max(0, 1 - Math.min(1, overdueHours * terms.decayRate));
  }
  const value = cents(full * factor);
  return {
    value,
    decay: cents(full * (1 - factor)),
    signed: terms.payoffType === 'penalty' ? -Math.abs(value) : value,
  };
}

/** The seed's calculate answer over a task's payoffs. */
export function calculate(taskId: string, rows: readonly PayoffTerms[], now: number) {
  const breakdown: Record<string, number> = {};
  const bonuses: string[] = [];
  const penalties: string[] = [];
  let total = 0;
  let timeDecay = 0;
  for (const row of rows) {
    const { value, decay, signed } = payoffValue(row, now);
    timeDecay += decay;
    total += signed;
    breakdown[row.payoffType] = signed;
    if (row.payoffType === 'penalty') penalties.push(`penalty: -${Math.abs(value)}`);
    if (row.payoffType === 'cooperation') bonuses.push(`cooperation: +${value}`);
  }
  return { taskId, totalPayoff: cents(total), breakdown, bonuses, penalties, timeDecay: cents(timeDecay) };
}
