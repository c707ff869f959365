import type { Generated } from 'kysely';
import { defineTables } from '../../core/index.js';

export type TaskStatus = 'open' | 'in_progress' | 'resolved' | 'blocked';
export type TaskPriority = 'critical' | 'high' | 'normal' | 'low';
export type WorkItemStatus = 'pending' | 'in_progress' | 'completed' | 'blocked' | 'cancelled';
export type BatchStatus = 'open' | 'dispatched' | 'completed' | 'cancelled';

/** Times are ms since the epoch. */
export interface TasksTable {
  id: string;
  team_name: string;
  subject: string;
  description: string | null;
  owner_handle: string | null;
  owner_uid: string | null;
  created_by_handle: string;
  created_by_uid: string;
  status: TaskStatus;
  priority: TaskPriority;
  created_at: number;
  updated_at: number;
}

export interface TaskBlockersTable {
  task_id: string;
  blocker_id: string;
}

export interface WorkItemsTable {
  id: string;
  team_name: string;
  title: string;
  description: string | null;
  status: WorkItemStatus;
  assigned_to: string | null;
  batch_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface WorkItemEventsTable {
  id: Generated<number>;
  work_item_id: string;
  event_type: string;
  actor: string;
  from_status: string | null;
  to_status: string | null;
  /** JSON object. */
  details: string | null;
  created_at: number;
}

export interface BatchesTable {
  id: string;
  team_name: string;
  name: string;
  status: BatchStatus;
  dispatched_to: string | null;
  created_at: number;
  updated_at: number;
}

export interface TasksTables {
  tasks: TasksTable;
  task_blockers: TaskBlockersTable;
  work_items: WorkItemsTable;
  work_item_events: WorkItemEventsTable;
  batches: BatchesTable;
}

export const tasksTables = defineTables<TasksTables>({
  tasks: 'Tasks of every team: subject, owner, creator, status',
  task_blockers: 'blockedBy edges between tasks (a table, so "ready" and cycle checks are queries)',
  work_items: 'Work items with readable ids (wi-x7k2m), status, assignee, batch',
  work_item_events: "Each work item's history: created, status changes with reasons, batched, dispatched",
  batches: 'Batches of work items, dispatched to a running worker',
});
