import { CHECKPOINT_LIMITS as L, type CheckpointInput } from './fields.js';

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const cutAll = (items: readonly string[] | undefined, count: number) =>
  items?.slice(0, count).map((item) => cut(item, L.item));
/** The last `count` items (the newest files matter most), each cut to the item limit. */
const lastOf = (items: readonly string[] | undefined, count: number) =>
  items?.slice(-count).map((item) => cut(item, L.item));

/**
 * A checkpoint made to fit the limits `create` checks: texts cut (ending in …), lists shortened.
 * For code that builds one from what it found (a transcript), not from what an agent wrote.
 * An empty goal or now stays empty: `create` still refuses it, as a checkpoint without one says nothing.
 */
export function fitCheckpoint(draft: CheckpointInput): CheckpointInput {
  return {
    goal: cut(draft.goal, L.goal),
    now: cut(draft.now, L.now),
    ...(draft.test !== undefined && { test: cut(draft.test, L.test) }),
    ...(draft.doneThisSession && {
      doneThisSession: draft.doneThisSession.slice(0, L.doneThisSession).map((item) => ({
        task: cut(item.task, L.item),
        ...(item.files && { files: cutAll(item.files, L.filesPerItem) }),
      })),
    }),
    ...(draft.blockers && { blockers: cutAll(draft.blockers, L.notes) }),
    ...(draft.questions && { questions: cutAll(draft.questions, L.notes) }),
    ...(draft.worked && { worked: cutAll(draft.worked, L.notes) }),
    ...(draft.failed && { failed: cutAll(draft.failed, L.notes) }),
    ...(draft.next && { next: cutAll(draft.next, L.notes) }),
    ...(draft.filesCreated && { filesCreated: lastOf(draft.filesCreated, L.files) }),
    ...(draft.filesModified && { filesModified: lastOf(draft.filesModified, L.files) }),
  };
}
