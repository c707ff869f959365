/** The public surface for plugins and config files. */
export { defineConfig } from './config/define-config.js';
export type { FleetConfig, FleetConfigInput } from './config/types.js';
export { definePlugin } from './plugin.js';
export type { PluginContext, PluginDefinition, ResponseObservation } from './plugin.js';
export { defineTool } from './mcp/types.js';
export type { ToolSpec, ToolResult } from './mcp/types.js';
export { HttpError, badRequest, conflict, forbidden, insufficientPermissions, notFound, unauthorized } from './http/http-error.js';
export { handleSchema, intString, uidSchema } from './http/validate.js';
export { assertOwnTeam, assertSelfOrLead } from './http/scope.js';
export { isSqlite, withSerialId } from './db/portable.js';
export type { FleetDb } from './db/database.js';
export { authStateOf } from './http/auth-state.js';
export { agentUid, defaultRole, isLead, AGENT_ROLES, AGENT_TYPES } from './auth/identity.js';
export type { AgentRole, AgentType, Identity } from './auth/identity.js';
export type { FleetEvent, PublishInput } from './events/types.js';
export { FleetError, isFleetError } from './errors.js';
export { Kernel } from './kernel/kernel.js';
export type { Logger } from './log.js';
