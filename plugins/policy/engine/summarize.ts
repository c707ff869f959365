/** A short readable line for the approvals inbox: what the agent wants to do. */
import { canonicalJson } from './subjects.js';

export const SUMMARY_LIMIT = 300;
// Control characters (terminal escapes included) would garble the inbox.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

function bound(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ⏎ ').replace(CONTROL, '?').trim();
  return flat.length <= SUMMARY_LIMIT ? flat : `${flat.slice(0, SUMMARY_LIMIT - 1)}…`;
}

function text(input: Record<string, unknown>, key: string): string | undefined {
  const value = input[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Bash → the command; Read/Edit/Write/MultiEdit/NotebookEdit → the path; Glob/Grep → the pattern
 * and where; anything else → compact JSON of the input. At most SUMMARY_LIMIT characters.
 */
export function summarizeToolInput(tool: string, input: Record<string, unknown>): string {
  const safe = input !== null && typeof input === 'object' ? input : {};
  switch (tool) {
    case 'Bash': {
      const command = text(safe, 'command');
      if (command !== undefined) return bound(command);
      break;
    }
    case 'Read':
    case 'Edit':
    case 'Write':
    case 'MultiEdit': {
      const path = text(safe, 'file_path');
      if (path !== undefined) return bound(path);
      break;
    }
    case 'NotebookEdit':
    case 'NotebookRead': {
      const path = text(safe, 'notebook_path');
      if (path !== undefined) return bound(path);
      break;
    }
    case 'Glob':
    case 'Grep': {
      const pattern = text(safe, 'pattern');
      if (pattern !== undefined) {
        const where = text(safe, 'path');
        const glob = text(safe, 'glob');
        return bound(`${pattern}${glob ? ` (${glob})` : ''}${where ? ` in ${where}` : ''}`);
      }
      break;
    }
  }
  return bound(canonicalJson(safe) ?? '{}');
}
