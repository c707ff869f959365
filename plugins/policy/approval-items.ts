import type { Logger } from '../../core/index.js';
import type { Approval } from './approval-service.js';

/** The kind of the hook's own asks; items take any other kind. */
export const TOOL_CALL_KIND = 'tool_call';
/** Items never expire: their expiry column holds this (no timer is armed for them). */
export const NEVER = 8_640_000_000_000_000;
/** Item kinds: lower-case words, as `?kind=` takes them. */
export const ITEM_KIND = /^[a-z][a-z0-9_.-]{0,63}$/;
const MAX_KEY = 500;
const MAX_SUMMARY = 1000;
const MAX_SUBJECT_CHARS = 64_000;

/** What another plugin asks a lead to decide, outside any tool call. */
export interface ItemRequest {
  teamName: string;
  kind: string;
  /** Idempotence: while an item of this team, kind and key is pending, opening it again returns it. */
  key?: string;
  summary: string;
  reason?: string | null;
  /** What the item is about (JSON): the lead sees it, the kind's handlers get it back. */
  subject?: unknown;
  /** Who it is on behalf of (a worker, or the plugin's own name as handle). */
  requester: { uid: string; handle: string };
}

export type ItemDecision = 'approved' | 'denied';
export type ItemHandler = (
  item: Approval,
  decision: ItemDecision,
  by: { uid: string; handle: string },
) => void | Promise<void>;

/** A request a plugin got wrong is a programming error (a TypeError with the field), not a client's 4xx. */
export function checkItemRequest(request: ItemRequest): { subject: string | null } {
  const fail = (field: string, message: string) => {
    throw new TypeError(`approvals.openItem: ${field} ${message}`);
  };
  if (typeof request.teamName !== 'string' || request.teamName === '') fail('teamName', 'is required');
  if (typeof request.kind !== 'string' || !ITEM_KIND.test(request.kind)) fail('kind', `must match ${ITEM_KIND}`);
  if (request.kind === TOOL_CALL_KIND) fail('kind', `may not be ${TOOL_CALL_KIND} (the hook's own asks)`);
  if (
    request.key !== undefined &&
    (typeof request.key !== 'string' || request.key === '' || request.key.length > MAX_KEY)
  )
    fail('key', `must be 1 to ${MAX_KEY} characters`);
  if (typeof request.summary !== 'string' || request.summary.trim() === '' || request.summary.length > MAX_SUMMARY)
    fail('summary', `must be 1 to ${MAX_SUMMARY} characters`);
  if (!request.requester || typeof request.requester.uid !== 'string' || typeof request.requester.handle !== 'string')
    fail('requester', 'must be { uid, handle }');
  const subject = request.subject === undefined ? null : JSON.stringify(request.subject);
  if (subject !== null && subject.length > MAX_SUBJECT_CHARS)
    fail('subject', `must be at most ${MAX_SUBJECT_CHARS} characters of JSON`);
  return { subject: subject ?? null };
}

/** The handlers of each kind, called once per decision, in the order added. */
export class ItemHandlers {
  private readonly byKind = new Map<string, { handler: ItemHandler }[]>();

  constructor(private readonly log: Logger) {}

  /** Returns its remover (idempotent). */
  add(kind: string, handler: ItemHandler): () => void {
    const entry = { handler };
    this.byKind.set(kind, [...(this.byKind.get(kind) ?? []), entry]);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      const left = (this.byKind.get(kind) ?? []).filter((e) => e !== entry);
      if (left.length > 0) this.byKind.set(kind, left);
      else this.byKind.delete(kind);
    };
  }

  /** The decision stands whatever a handler does: one that throws is logged, the next still runs. */
  async call(item: Approval, decision: ItemDecision, by: { uid: string; handle: string }): Promise<void> {
    for (const { handler } of this.byKind.get(item.kind) ?? []) {
      try {
        await handler(item, decision, by);
      } catch (error) {
        this.log.error('an approval item handler failed (the decision stands)', {
          kind: item.kind,
          id: item.id,
          decision,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
}
