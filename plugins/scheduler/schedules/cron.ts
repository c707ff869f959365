import { CronTime } from 'cron';
import { invalidInput } from '../../../core/index.js';

/**
 * Cron through the `cron` package: 5 fields (minute hour day-of-month month day-of-week) with ranges,
 * steps, lists and names, or 6 with seconds first, or an alias (@daily); day-of-month and
 * day-of-week match either (standard cron); a time zone (IANA name) or UTC.
 */
export class CronSpec {
  readonly #time: CronTime;

  private constructor(
    readonly expression: string,
    readonly timezone: string,
  ) {
    this.#time = new CronTime(expression, timezone);
  }

  /** Parse or throw a 400 naming `cron` or `timezone`. */
  static parse(expression: string, timezone = 'UTC'): CronSpec {
    try {
      new CronTime('* * * * *', timezone);
    } catch (error) {
      throw invalidInput('timezone', `is not a known time zone (${(error as Error).message})`);
    }
    let spec: CronSpec;
    try {
      spec = new CronSpec(expression.trim(), timezone);
    } catch (error) {
      throw invalidInput('cron', `is not a valid cron expression (${(error as Error).message})`);
    }
    if (spec.nextAfter(Date.now()) === undefined) throw invalidInput('cron', 'never fires (no date matches it)');
    return spec;
  }

  /** The first slot strictly after `ms`, or undefined when none comes (within the package's 8 years). */
  nextAfter(ms: number): number | undefined {
    try {
      return this.#time.getNextDateFrom(new Date(ms), this.timezone).toMillis();
    } catch {
      return undefined;
    }
  }

  /** Slots in (after, until], at most `max` of them; `more` says whether some were left out. */
  between(after: number, until: number, max: number): { slots: number[]; more: boolean } {
    const slots: number[] = [];
    let at = after;
    for (;;) {
      const next = this.nextAfter(at);
      if (next === undefined || next > until) return { slots, more: false };
      if (slots.length >= max) return { slots, more: true };
      slots.push(next);
      at = next;
    }
  }
}
