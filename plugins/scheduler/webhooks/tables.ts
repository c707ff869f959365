import type { Generated } from 'kysely';
import { defineTables } from '../../../core/index.js';

export type DeliveryStatus = 'received' | 'processing' | 'processed' | 'failed';
export type ProcessingKind = 'initial' | 'recovery' | 'replay';

/** One stored delivery; times are ms since the epoch. */
export interface WebhookDeliveriesTable {
  /** Ours (a UUID): what /webhooks/deliveries/:id takes. */
  id: string;
  team_name: string;
  /** 'github', or 'generic' for POST /webhooks/in/:name. */
  source: string;
  /** 'github', or the generic webhook's name. */
  name: string;
  /** The sender's id (X-GitHub-Delivery, X-Fleet-Delivery): unique per source and name. */
  delivery_id: string;
  event: string;
  action: string | null;
  repository: string | null;
  /** The body as received (UTF-8), bounded by the body limit. */
  payload: string;
  payload_sha256: string;
  status: DeliveryStatus;
  received_at: number;
  /** When a processing claimed it (a stale claim is taken over at start-up). */
  claimed_at: number | null;
  processed_at: number | null;
  /** JSON: the latest processing's outcomes. */
  outcomes: string | null;
  error: string | null;
}

/** Each time a delivery's rules ran: first, after a restart, or replayed by a lead. */
export interface WebhookProcessingsTable {
  id: Generated<number>;
  delivery: string;
  team_name: string;
  kind: ProcessingKind;
  actor: string | null;
  started_at: number;
  finished_at: number | null;
  /** JSON list of { action, outcome, reason?, evidence? }. */
  outcomes: string | null;
  error: string | null;
}

export interface WebhookTables {
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_processings: WebhookProcessingsTable;
}

export const webhookTables = defineTables<WebhookTables>({
  webhook_deliveries:
    'Inbound webhook deliveries (GitHub and generic), unique by sender delivery id, stored before the answer',
  webhook_processings: 'Each run of a delivery’s rules (initial, recovery at start-up, replay) with its outcomes',
});
