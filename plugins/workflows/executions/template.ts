import { resolvePath } from '../steps/expression.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

function render(text: string, context: Record<string, unknown>): unknown {
  // A string that is exactly one placeholder takes the value itself (an object, a number), not its text.
  const whole = /^\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}$/.exec(text);
  if (whole) return resolvePath(context, whole[1]!.split('.')) ?? '';
  return text.replace(PLACEHOLDER, (_, path: string) => {
    const value = resolvePath(context, path.split('.'));
    if (value === undefined || value === null) return '';
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
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
