import type { KeptEvent } from '../steps/kind.js';

const PER_TEAM = 2000;
const MAX_AGE_MS = 3_600_000;

/** Whether every key of `filter` equals the event data's (top level; objects compared as JSON). */
export function matchesFilter(data: Record<string, unknown>, filter: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(filter).every(([key, want]) => {
    const have = data[key];
    if (have === want) return true;
    return typeof want === 'object' && want !== null && JSON.stringify(have) === JSON.stringify(want);
  });
}

/** Recent fleet events per team, for the `wait` kind's event mode (api.engine.waitForEvent). Bounded. */
export class KeptEvents {
  private readonly byTeam = new Map<string, KeptEvent[]>();

  keep(event: KeptEvent): void {
    let list = this.byTeam.get(event.team);
    if (!list) this.byTeam.set(event.team, (list = []));
    list.push(event);
    const cut = event.ts - MAX_AGE_MS;
    while (list.length > PER_TEAM || (list[0] && list[0].ts < cut)) list.shift();
  }

  find(team: string, type: string, filter: Readonly<Record<string, unknown>>, since: number): KeptEvent | undefined {
    return this.byTeam
      .get(team)
      ?.find((event) => event.type === type && event.ts >= since && matchesFilter(event.data, filter));
  }
}
