import { dataFence } from '../../../core/index.js';
import type { TaskTemplate } from './builtins.js';

/** What a template is run with: the seed's context fields (and for queued tasks, whatever payload came). */
export interface TemplateRunContext {
  repository?: string;
  branch?: string;
  prNumber?: number;
  issueNumber?: number;
  files?: string[];
  labels?: string[];
  [key: string]: unknown;
}

/**
 * The context section. Its values come from outside (a webhook's repository, branch names, file
 * lists, labels a stranger may have chosen), so they reach the worker fenced as data.
 */
function contextSection(context: TemplateRunContext, from: string): string {
  const lines: string[] = [];
  if (context.repository !== undefined) lines.push(`Repository: ${context.repository}`);
  if (context.branch !== undefined) lines.push(`Branch: ${context.branch}`);
  if (context.prNumber !== undefined) lines.push(`Pull Request #: ${context.prNumber}`);
  if (context.issueNumber !== undefined) lines.push(`Issue #: ${context.issueNumber}`);
  if (context.files?.length) lines.push(`Files Changed: ${context.files.join(', ')}`);
  if (context.labels?.length) lines.push(`Labels: ${context.labels.join(', ')}`);
  const known = new Set(['repository', 'branch', 'prNumber', 'issueNumber', 'files', 'labels']);
  const rest = Object.fromEntries(Object.entries(context).filter(([key]) => !known.has(key)));
  if (Object.keys(rest).length > 0) lines.push(`Payload: ${JSON.stringify(rest)}`);
  if (lines.length === 0) return '';
  return `\n\n--- CONTEXT ---\n${dataFence({ kind: 'task context', from }, lines.join('\n'))}`;
}

/** The seed's prompt: the template's, then the context. */
export function templatePrompt(template: TaskTemplate, context: TemplateRunContext, from: string): string {
  return `${template.prompt}${contextSection(context, from)}`;
}

/** A task name with no template: the seed's generic prompt (trigger, repository, payload). */
export function genericPrompt(
  name: string,
  job: { trigger: string; triggerEvent: string | null; repository: string | null },
  context: TemplateRunContext,
  from: string,
): string {
  const head = [
    `Execute the following task: ${name}`,
    `Trigger: ${job.trigger}${job.triggerEvent ? ` (${job.triggerEvent})` : ''}`,
  ].join('\n');
  const withRepository =
    job.repository && context.repository === undefined ? { ...context, repository: job.repository } : context;
  return `${head}${contextSection(withRepository, from)}\n\nComplete this task and report your results.`;
}
