import { defineEvents } from '../../core/index.js';
import type { ChatMessageEvent } from '../mail/index.js';
import type { TaskResolver, TeamTask } from './task-service.js';
import type { Batch, WorkItem } from './work-item-service.js';

declare module '../../core/index.js' {
  interface FleetEventMap {
    task_created: { task: TeamTask };
    task_updated: { task: TeamTask };
    /** `resolvedBy`: who resolved it (null: no agent, e.g. the fleet itself). */
    task_resolved: { task: TeamTask; resolvedBy: TaskResolver | null };
    task_assigned: ChatMessageEvent & { task: TeamTask };
    workitem_created: { workItem: WorkItem };
    workitem_updated: { workItem: WorkItem };
    task_completed: { workItem: WorkItem };
    task_assignment: { batch: Batch & { workItems: WorkItem[] }; worker: string };
  }
}

export const tasksEvents = defineEvents({
  task_created: { topic: 'tasks', summary: 'A task was created' },
  task_updated: { topic: 'tasks', summary: "A task's status, owner or blockers changed" },
  task_resolved: {
    topic: 'tasks',
    summary: 'A task was resolved (after its task_updated), once per resolution; resolvedBy: {handle, type}',
  },
  task_assigned: {
    topic: (data) => `chat.${data.chatId}`,
    summary: "The assignment DM of a task with an owner (to the DM's subscribers only)",
  },
  workitem_created: { topic: 'workitems', summary: 'A work item was created' },
  workitem_updated: { topic: 'workitems', summary: "A work item's status changed" },
  task_completed: { topic: 'workitems', summary: "The seed's event for a work item that reached completed" },
  task_assignment: { topic: 'workitems', summary: 'A batch was dispatched to a worker' },
});
