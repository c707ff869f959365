import { defineErrors } from '../../core/index.js';

export const sessionsErrors = defineErrors({
  SESSIONS_NOT_FOUND: [404, 'Session {id} not found'],
  SESSIONS_WORKER_NOT_FOUND: [404, 'Worker {handle} not found'],
  SESSIONS_AGENT_NOT_FOUND: [404, 'handle: no agent {handle} in your team'],
  SESSIONS_PARENT_NOT_FOUND: [400, 'parentId: no session {id} in your team'],
  SESSIONS_DUPLICATE: [409, 'Session {agentSessionId} of {handle} is already recorded ({id})'],
  SESSIONS_ENDED: [409, 'Session {id} has ended ({reason})'],
  SESSIONS_NOT_ENDED: [409, 'Session {id} is still running: trim it first'],
  SESSIONS_NOT_CURRENT: [409, 'Session {id} is not the session worker {handle} runs now'],
  SESSIONS_ALREADY_CONTINUED: [409, 'Session {id} was already continued in session {child}'],
  SESSIONS_BUSY: [409, 'Session {id} is being trimmed or continued already'],
  SESSIONS_NO_WORKERS: [409, 'The workers plugin is off: sessions cannot be trimmed or continued'],
  SESSIONS_NOT_A_WORKER: [409, 'Session {id} belongs to no worker of the fleet (it was recorded by hand)'],
  SESSIONS_NOT_YOURS: [403, 'Only a team lead or {handle} itself may {action} this session'],
  SESSIONS_CHECKPOINT_NOT_FOUND: [404, 'checkpointId: no checkpoint {id} for {handle}'],
  SESSIONS_EMPTY_QUERY: [400, 'query: must contain a word to search for'],
  SESSIONS_BAD_RANGE: [400, 'until: must be after since'],
});
