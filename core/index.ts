/**
 * The kernel's public entry: the one module plugins import (a test enforces it), and what
 * `fleet.config.ts` uses. Everything a plugin needs is here, nothing of any plugin is.
 */

// Config and plugins
export { defineConfig } from './config/define-config.js';
export type { FleetConfig, FleetConfigInput } from './config/types.js';
export { definePlugin } from './plugin.js';
export type {
  AnyPlugin,
  GuardedTopics,
  HealthCounter,
  PanelDefinition,
  PluginCommand,
  PluginContext,
  PluginDefinition,
  PluginTokens,
  ResponseObservation,
} from './plugin.js';

// Operations: one schema, one access rule, one handler, served as a route and as tools
export { operationsFor, reply } from './operations/operation.js';
export type { HttpBinding, InputSchema, Operation, ToolBinding } from './operations/operation.js';
export * as f from './fields.js';
export { actAs, insufficientPermissions, isLead, requireLead, sameTeam } from './access.js';
export type { Access } from './access.js';

// Errors
export { ApiError, defineErrors, fleetErrors, invalidInput, isApiError, mergeErrors } from './http/api-error.js';
export type { ErrorFactory } from './http/api-error.js';
export { FleetError, isFleetError } from './errors.js';

// Storage
export { defineTables } from './db/tables.js';
export type { AnyTransaction, TableSet } from './db/tables.js';
export { isSqlite, withSerialId } from './db/portable.js';

// Events
export { defineEvents } from './events/catalog.js';
export type { EventType, FleetEventMap, TypedEvent } from './events/catalog.js';
export type { FleetEvent } from './events/types.js';
export type { TokenCheck } from './auth/tokens.js';

// Text from one agent to another, as data with its sender
export { dataFence } from './text/data-fence.js';
export type { FenceLabel } from './text/data-fence.js';

// Identity
export { agentUid, defaultRole, AGENT_ROLES, AGENT_TYPES } from './auth/identity.js';
export type { AgentRole, AgentType, Identity } from './auth/identity.js';
export type { Logger } from './log.js';

// The worker runtime: tmux, the pane host's files and socket, the log parser
export { TmuxDriver } from './workers/tmux.js';
export { defaultTmuxSocket, fleetTmuxSocket } from './workers/tmux-socket.js';
export { workerFiles, writeSpawnSpec } from './workers/spawn-spec.js';
export type { SpawnSpec } from './workers/spawn-spec.js';
export { hostSocketPath } from './workers/host-socket.js';
export { plain, transcriptTail } from './workers/transcript.js';
export type { HostMessage, HostRequest } from './workers/host-socket.js';
export { LogStream } from './native/logstream.js';
export type { LogEvent, LogStreamLike, WorkerState as LogState } from './native/logstream.js';
export { FLEET_BIN } from './mcp/install.js';
export * from './net/outbound-url.js'; // outbound URL check (SSRF): http(s) only, no private addresses
export { ArgvProcess, runArgv } from './process/argv-process.js'; // commands from argument vectors, in a process group
export type { ArgvCommand, ArgvResult } from './process/argv-process.js';

// What a plugin's CLI command acts with: the team's lead `operator` (minted with the admin key), and the CLI's errors
export { checkName, OPERATOR_HELP, OPERATOR_NOTE, OPERATOR_OPTIONS, operatorFor } from './cli/operator.js';
export type { FleetClient, Operator } from './cli/operator.js';
export { CliError, usageError } from './cli/errors.js';

// Time a plugin's services read, and the fake one its tests drive
export { fakeClock, systemClock } from './time/clock.js';
export type { Clock, FakeClock } from './time/clock.js';
