import * as v from 'valibot';
import { f } from '../../../core/index.js';

/** Bounds of the posted graph: every algorithm is linear or near it in these. */
export const DAG_LIMITS = { nodes: 2000, dependsOn: 200, idChars: 200, completed: 2000 } as const;

// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;

const nodeId = v.pipe(f.text({ min: 1, max: DAG_LIMITS.idChars }));
const finite = (min: number, max: number) =>
  v.pipe(
    v.number('must be a number'),
    v.finite('must be a number'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

export const dagNode = v.object(
  {
    id: nodeId,
    priority: v.optional(finite(-1e9, 1e9)),
    estimatedDuration: v.optional(finite(0, 1e9)),
    dependsOn: v.optional(f.list(nodeId, { max: DAG_LIMITS.dependsOn, of: 'node ids', unit: 'dependencies' })),
  },
  'must be a node { id, priority?, estimatedDuration?, dependsOn? }',
);
export const dagNodes = f.list(dagNode, { max: DAG_LIMITS.nodes, of: 'nodes', unit: 'nodes' });
export const completed = f.list(nodeId, { max: DAG_LIMITS.completed, of: 'node ids', unit: 'nodes' });

/** A request to lmsh: one line of text. */
export const lmshInput = v.pipe(f.text({ min: 1, max: 1000 }), v.regex(NO_CONTROL, 'must be one line of text'));
export const alias = v.pipe(
  f.text({ min: 1, max: 100 }),
  v.regex(/[\p{L}\p{N}]/u, 'must contain a word (letters or digits)'),
  v.regex(NO_CONTROL, 'must be one line of text'),
);
/** A command an alias suggests: one line (a line break could hide a second command). */
export const command = v.pipe(f.text({ min: 1, max: 1000 }), v.regex(NO_CONTROL, 'must be one line of text'));

export const subject = f.text({ min: 1, max: 500 });
export const description = f.text({ max: 20_000 });
export const blockedBy = f.list(f.text({ min: 1, max: 200 }), { max: 100, of: 'task ids', unit: 'tasks' });

export const MAX_SESSION_CHARS = 500_000;
export const sessionId = v.pipe(
  v.string('must be a string'),
  v.regex(/^[A-Za-z0-9._:-]{1,200}$/, 'must be 1–200 of letters, digits, . _ : and -'),
);
export const sessionContent = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'is required'),
  v.maxLength(MAX_SESSION_CHARS, `must be at most ${MAX_SESSION_CHARS} characters`),
  v.regex(/[\p{L}\p{N}]/u, 'has no text to index'),
);
export const timestamp = f.int(0, 8_640_000_000_000_000);
export const model = v.pipe(f.text({ min: 1, max: 200 }), v.regex(NO_CONTROL, 'must be one line of text'));
export const projectPath = v.pipe(f.text({ min: 1, max: 1000 }), v.regex(NO_CONTROL, 'must be one line of text'));
export const searchQuery = f.text({ min: 1, max: 1000 });
export const limit = f.int(1, 100);
export const offset = f.int(0, 1000);
