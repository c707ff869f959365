import * as v from 'valibot';

const wholeNumber = (min: number, max: number) =>
  v.pipe(
    v.number('must be a number'),
    v.integer('must be a whole number'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

/** plugins.policy in fleet.config.ts. */
export const policyOptionsSchema = v.object({
  /**
   * The built-in rule set (rm -rf /, force pushes to protected branches, reset --hard outside the
   * worker's worktree, reading ~/.ssh or .env, curl | sh) on for every team. Off by default: a lead
   * can switch it on for one team with `POST /policies/builtin`.
   */
  builtin: v.optional(v.boolean('must be true or false'), false),
  /**
   * Refuse to spawn workers the policy cannot enforce (command adapters: CLIs other than Claude
   * Code). Off: they run, listed as `unenforced` in GET /orchestrate/workers.
   */
  strict: v.optional(v.boolean('must be true or false'), false),
  /**
   * The Claude Code settings files workers still read (`user`, `project`, `local`). None by default:
   * `disableAllHooks` in any of them, even written by the agent itself, would turn the hook off.
   * Naming one brings back its permission rules and hooks, and that way round.
   */
  claudeSettingSources: v.optional(
    v.array(v.picklist(['user', 'project', 'local'], 'must be user, project or local'), 'must be a list'),
    [],
  ),
  approvals: v.optional(
    v.object({
      /** How long an ask waits for a lead before its expiry answers it. */
      timeoutSeconds: v.optional(wholeNumber(1, 86_400), 300),
      /** What an unanswered ask becomes at its expiry: `deny` (the default) or `allow`. */
      onExpiry: v.optional(v.picklist(['deny', 'allow'], 'must be deny or allow'), 'deny'),
      /** Two-person rules also stop the lead who created the rule from approving its asks. */
      excludeRuleCreator: v.optional(v.boolean('must be true or false'), false),
    }),
    {},
  ),
});

export type PolicyOptions = v.InferOutput<typeof policyOptionsSchema>;
