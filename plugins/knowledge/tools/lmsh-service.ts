import { type Kysely } from 'kysely';
import { isSqlite } from '../../../core/index.js';
import { toolsErrors } from './errors.js';
import { type Alias, phraseWords, type Translation, translate } from './lmsh-rules.js';
import { SessionTexts } from './session-texts.js';
import type { LmshTables } from './tables.js';

/** Aliases one team may keep: each translation reads them all. */
export const MAX_ALIASES = 500;

/** An alias as it is stored and matched: its words, lower case, single spaces. */
export function normalizeAlias(alias: string): string {
  return phraseWords(alias).join(' ');
}

/**
 * lmsh for every team (aliases in a table, translations from them and the rules: strings only,
 * nothing runs), and the session search of /search (`sessionTexts`), on the same database.
 */
export class LmshService {
  readonly sessionTexts: SessionTexts;

  constructor(private readonly db: Kysely<LmshTables>) {
    this.sessionTexts = new SessionTexts(db, isSqlite(db) ? 'sqlite' : 'postgres');
  }

  /** The team's aliases, oldest first. */
  async aliases(teamName: string): Promise<Alias[]> {
    return this.db
      .selectFrom('knowledge_lmsh_aliases')
      .select(['alias', 'command'])
      .where('team_name', '=', teamName)
      .orderBy('created_at')
      .orderBy('alias')
      .execute();
  }

  /** Add or replace an alias (its words, normalized). At most MAX_ALIASES per team (409 past it). */
  async setAlias(
    teamName: string,
    by: string,
    input: Alias,
  ): Promise<{ added: true; alias: string; command: string; replaced: boolean }> {
    const alias = normalizeAlias(input.alias);
    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
      const old = await trx
        .selectFrom('knowledge_lmsh_aliases')
        .select('alias')
        .where('team_name', '=', teamName)
        .where('alias', '=', alias)
        .executeTakeFirst();
      if (old) {
        await trx
          .updateTable('knowledge_lmsh_aliases')
          .set({ command: input.command, created_by: by, updated_at: now })
          .where('team_name', '=', teamName)
          .where('alias', '=', alias)
          .execute();
        return { added: true as const, alias, command: input.command, replaced: true };
      }
      const { n } = await trx
        .selectFrom('knowledge_lmsh_aliases')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('team_name', '=', teamName)
        .executeTakeFirstOrThrow();
      if (Number(n) >= MAX_ALIASES)
        throw toolsErrors.KNOWLEDGE_LMSH_TOO_MANY_ALIASES({ max: MAX_ALIASES }, { field: 'alias' });
      await trx
        .insertInto('knowledge_lmsh_aliases')
        .values({
          team_name: teamName,
          alias,
          command: input.command,
          created_by: by,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) =>
          oc.columns(['team_name', 'alias']).doUpdateSet({ command: input.command, created_by: by, updated_at: now }),
        )
        .execute();
      return { added: true as const, alias, command: input.command, replaced: false };
    });
  }

  async removeAlias(teamName: string, alias: string): Promise<{ deleted: true; alias: string }> {
    const normalized = normalizeAlias(alias);
    const result = await this.db
      .deleteFrom('knowledge_lmsh_aliases')
      .where('team_name', '=', teamName)
      .where('alias', '=', normalized)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0)
      throw toolsErrors.KNOWLEDGE_LMSH_ALIAS_NOT_FOUND({}, { alias: normalized });
    return { deleted: true, alias: normalized };
  }

  /** A suggested command for a request, from the team's aliases and the rules: never run. */
  async translate(teamName: string, input: string): Promise<Translation> {
    return translate(input, await this.aliases(teamName));
  }
}
