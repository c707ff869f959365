import { conflict, forbidden, type Identity, notFound } from '../../core/index.js';
import type { AuthApi, TeamAgent } from '../auth/index.js';
import type { TaskService, TaskStatus, TeamTask } from './task-service.js';
import type { WorkItemService } from './work-item-service.js';
import type { WorkerInput } from './workers-port.js';

/**
 * The operations routes and tools share, with their permission rules in one place: identity from
 * the token, everything inside the caller's team.
 */
export class TaskOperations {
  constructor(
    readonly tasks: TaskService,
    readonly workItems: WorkItemService,
    private readonly auth: () => AuthApi,
    private readonly workers: () => WorkerInput | undefined,
  ) {}

  async agent(identity: Identity, handle: string): Promise<TeamAgent> {
    const agent = await this.auth().agents.findByHandle(identity.teamName, handle);
    if (!agent) throw notFound(`Agent ${handle} not found`);
    return agent;
  }

  async self(identity: Identity): Promise<TeamAgent> {
    const agent = await this.auth().agents.get(identity.uid);
    if (!agent) throw notFound('Sender not found');
    return agent;
  }

  /** The creator a request names (`fromUid`): the caller, or for a lead any agent of its team. */
  async creator(identity: Identity, fromUid: string | undefined): Promise<TeamAgent> {
    if (fromUid === undefined || fromUid === identity.uid) return this.self(identity);
    if (identity.agentType !== 'team-lead') throw forbidden(`fromUid: you may act only as yourself (${identity.handle}); team leads may act for their team`);
    const agent = await this.auth().agents.get(fromUid);
    if (!agent || agent.teamName !== identity.teamName) throw notFound('Sender not found');
    return agent;
  }

  async createTask(identity: Identity, input: { fromUid?: string; toHandle?: string; subject: string; description?: string | null; blockedBy?: string[] }): Promise<TeamTask> {
    const creator = await this.creator(identity, input.fromUid);
    const owner = input.toHandle ? await this.agent(identity, input.toHandle) : undefined;
    return this.tasks.create({ teamName: identity.teamName, creator, owner, subject: input.subject, description: input.description, blockedBy: input.blockedBy });
  }

  /** Its owner, its creator and the team lead may change a task. */
  async changeableTask(identity: Identity, id: string): Promise<TeamTask> {
    const task = await this.tasks.require(identity.teamName, id);
    if (identity.agentType !== 'team-lead' && task.ownerUid !== identity.uid && task.createdByUid !== identity.uid) {
      throw forbidden('Only the task owner, its creator or a team lead may change it');
    }
    return task;
  }

  async updateTask(identity: Identity, id: string, change: { status?: TaskStatus; blockedBy?: string[] }): Promise<TeamTask> {
    await this.changeableTask(identity, id);
    let task: TeamTask | undefined;
    // Resolve with new blockers: check them before writing any, so a refused PATCH changes nothing.
    if (change.blockedBy !== undefined && change.status === 'resolved') await this.tasks.assertResolvable([...new Set(change.blockedBy)]);
    if (change.blockedBy !== undefined) task = await this.tasks.setBlockers(identity.teamName, id, change.blockedBy);
    if (change.status !== undefined) task = await this.tasks.setStatus(identity.teamName, id, change.status);
    return task ?? this.tasks.require(identity.teamName, id);
  }

  async claim(identity: Identity, id?: string): Promise<TeamTask> {
    return this.tasks.claim(identity.teamName, await this.self(identity), id);
  }

  /** Dispatch a batch to a running worker: 409 while workers are off or the worker is not running. */
  async dispatchBatch(identity: Identity, batchId: string, worker: string) {
    const workers = this.workers();
    if (!workers) throw conflict('Workers are off: turn on the workers plugin in fleet.config.ts to dispatch batches');
    const existing = await this.workItems.getBatch(identity.teamName, batchId);
    if (!existing) throw notFound('Batch not found');
    if (!(await workers.isLive(identity.teamName, worker))) throw conflict(`Worker ${worker} is not running`);
    const batch = await this.workItems.markDispatched(identity.teamName, batchId, worker, identity.handle);
    const lines = batch.workItems.map((item) => `- ${item.id}: ${item.title}${item.description ? `\n  ${item.description}` : ''}`);
    await workers.sendToWorker(identity.teamName, worker, `[BATCH] ${batch.name} (${batch.id})\nWork items assigned to you:\n${lines.join('\n')}\nUpdate each with workitem_update as you go.`);
    return { ...batch, dispatchedCount: batch.workItems.length };
  }
}
