import type { Logger } from '../../core/index.js';

/** Text for a worker's first prompt (a checkpoint, mail waiting): undefined when there is nothing to say. */
export interface BriefingSource {
  name: string;
  briefing(teamName: string, handle: string): Promise<string | undefined>;
}

/**
 * What other plugins put into a worker's first prompt, and into the first prompt of a session it
 * continues in: each source's text, in the order the sources were added, after the mail briefing.
 * A source that fails or has nothing to say is left out; the others still reach the worker.
 */
export class BriefingSources {
  readonly #sources = new Set<BriefingSource>();

  add(source: BriefingSource): () => void {
    // A source of its own for each add: the same object added twice is removed once per call.
    const entry = { ...source };
    this.#sources.add(entry);
    return () => void this.#sources.delete(entry);
  }

  get size(): number {
    return this.#sources.size;
  }

  /** Every source's text for this worker, joined by a blank line; undefined when none has any. */
  async briefing(teamName: string, handle: string, log: Logger): Promise<string | undefined> {
    const texts: string[] = [];
    for (const source of [...this.#sources]) {
      try {
        const text = await source.briefing(teamName, handle);
        if (typeof text === 'string' && text.trim() !== '') texts.push(text);
      } catch (error) {
        log.warn(`briefing source ${source.name} failed for ${teamName}/${handle}`, {
          error: (error as Error).message,
        });
      }
    }
    return texts.length > 0 ? texts.join('\n\n') : undefined;
  }
}
