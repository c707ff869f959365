import type { TrailType } from './tables.js';

export const TOUCH_TOOLS = new Set(['Read', 'Grep', 'Glob', 'NotebookRead']);
export const MODIFY_TOOLS = new Set(['Edit', 'Write', 'MultiEdit', 'NotebookEdit']);

/** Intensities of the automatic trails: reading counts for less than changing, failing or passing. */
export const AUTO_INTENSITY: Readonly<Record<'touch' | 'modify' | 'error' | 'success', number>> = {
  touch: 0.5,
  modify: 1,
  error: 1,
  success: 1,
};

/** A Bash command that runs tests: its passing deposits `success` (on the command's test target, or `tests`). */
const TEST_RUNNERS = [
  'npm\\s+(run\\s+)?test',
  'tap',
  'jest',
  'vitest',
  'mocha',
  'pytest',
  'go\\s+test',
  'cargo\\s+test',
  'node\\s+--test',
  'make\\s+(test|check)',
];
const TEST_COMMAND = new RegExp(`(^|[\\s;&|(])((npx|pnpm|yarn|bunx?)\\s+)?(${TEST_RUNNERS.join('|')})\\b`);

export function isTestCommand(command: string): boolean {
  return TEST_COMMAND.test(command);
}

/** The trail a file tool leaves on the paths it named, or undefined for other tools. */
export function fileTrail(tool: string): TrailType | undefined {
  if (MODIFY_TOOLS.has(tool)) return 'modify';
  if (TOUCH_TOOLS.has(tool)) return 'touch';
  return undefined;
}

/** The tool's name in a transcript entry's text (`Edit /repo/a.ts`, `Bash {"command":...}`). */
export function toolName(text: string): string {
  const space = text.indexOf(' ');
  return space === -1 ? text : text.slice(0, space);
}

/** The command of a Bash call from its input (or from the entry's text when only that is given). */
export function bashCommand(input: unknown, text: string): string | undefined {
  if (typeof input === 'object' && input !== null && typeof (input as { command?: unknown }).command === 'string')
    return (input as { command: string }).command;
  const json = text.slice(text.indexOf(' ') + 1);
  const match = /^\{"command":"((?:[^"\\]|\\.)*)"/.exec(json);
  if (!match) return undefined;
  try {
    return JSON.parse(`"${match[1]}"`) as string;
  } catch {
    return undefined;
  }
}

/**
 * The resource a command's trail lands on: its first argument that looks like a file path within the
 * repository (`tap test/a.test.ts` → that file), else `command:<program>` (a custom resource).
 */
export function commandResource(command: string): { type: 'file' | 'custom'; id: string; path?: string } {
  const words = command.trim().split(/\s+/).slice(0, 40);
  const path = words.find((w) => /^[\w./-]+\.[A-Za-z0-9]{1,8}$/.test(w) && !w.startsWith('-'));
  if (path) return { type: 'file', id: path, path };
  const program = words.find((w) => !/^\w+=/.test(w)) ?? 'command';
  return { type: 'custom', id: `command:${program.slice(0, 100)}` };
}

/**
 * A tool result saying the call never ran (a permission not granted, a PreToolUse hook's deny, in Claude Code's
 * words: see core/workers/transcript-refusals.ts): a refused command did not fail, so it leaves no `error` trail.
 */
const REFUSAL = /^(PreToolUse:\S+ hook error: |Permission to .* has been denied|Claude requested permissions? to )/s;

export function isRefusal(text: string | undefined): boolean {
  return text !== undefined && REFUSAL.test(text);
}
