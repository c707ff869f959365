import { defineErrors } from '../../core/index.js';

// Its own line: the message is a template literal type (its {placeholders} are checked), too long to indent.
const TYPE_CHANGE_UNCONFIRMED =
  'Agent {handle} is a {agentType} (role {role}); making it a {wantedType} (role {wantedRole}) needs changeType: true';

export const authErrors = defineErrors({
  AUTH_LEAD_OTHER_TEAM: [403, 'A team lead registers workers of its own team ({team}) only'],
  AUTH_TYPE_CONFLICT: [409, 'Agent {handle} is already registered as {agentType}'],
  AUTH_TYPE_CHANGE_UNCONFIRMED: [409, TYPE_CHANGE_UNCONFIRMED],
  AUTH_USER_NOT_FOUND: [404, 'User not found'],
  AUTH_AGENT_NOT_FOUND: [404, 'Agent {handle} not found'],
});
