import { dataFence } from '../../../core/index.js';
import { resolvePath } from '../steps/expression.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/** Which filled-in values are data for an agent, not instructions (see untrustedValues). */
export type Untrusted = (path: string) => boolean;

const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

function render(text: string, context: Record<string, unknown>, fence?: Untrusted): unknown {
  // A string that is exactly one placeholder takes the value itself (an object, a number), not its text.
  const whole = /^\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}$/.exec(text);
  if (whole && !fence) return resolvePath(context, whole[1]!.split('.')) ?? '';
  return text.replace(PLACEHOLDER, (_, path: string) => {
    const value = resolvePath(context, path.split('.'));
    if (value === undefined || value === null) return '';
    if (!fence?.(path)) return asText(value);
    return `\n${dataFence({ kind: 'workflow value', from: path }, asText(value))}\n`;
  });
}

/**
 * The values filled into an agent's text that came from elsewhere than the definition's author and the lead who
 * started the execution: other steps' outputs (agents' results, commands' output) always, and the inputs when an
 * event, a webhook, a proposal or a parent step started the execution (a route, a tool, a template, a schedule or
 * a lead's queued job: the inputs are a lead's own words).
 */
export function untrustedValues(startedBy: string): Untrusted {
  const leads = startedBy === 'route' || /^(template|schedule|manual|queue):/.test(startedBy);
  return (path) => path.startsWith('steps.') || (!leads && path.startsWith('inputs.'));
}

/**
 * A step's config with every `{{inputs.x}}` / `{{steps.k.output.y}}` / `{{execution.id}}` resolved from
 * the context (an unknown path gives ''), in strings at any depth; other values as they are.
 */
export function resolveTemplates(value: unknown, context: Record<string, unknown>): unknown {
  if (typeof value === 'string') return value.includes('{{') ? render(value, context) : value;
  if (Array.isArray(value)) return value.map((item) => resolveTemplates(item, context));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveTemplates(item, context)]));
  return value;
}

/**
 * resolveTemplates for a step: in its kind's prose fields (text an agent reads) the untrusted values arrive
 * fenced as data; everything else is resolved as by resolveTemplates.
 */
export function resolveStepConfig(
  config: Record<string, unknown>,
  context: Record<string, unknown>,
  prose: readonly string[] | undefined,
  untrusted: Untrusted,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key,
      prose?.includes(key) && typeof value === 'string' && value.includes('{{')
        ? render(value, context, untrusted)
        : resolveTemplates(value, context),
    ]),
  );
}
