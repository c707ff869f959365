/**
 * The test kit: everything a suite needs to run real fleets, in one import.
 *
 *   import { startFleet, registerAgent, WsClient, waitFor } from '../../test/kit/index.js';
 *
 * fleet.ts        startFleet / TestFleet: a real fleet, storage from FLEET_TEST_STORAGE
 * storage.ts      testStorage(), testDatabase(): the engine of this run, a fresh PostgreSQL database
 * plugin-database.ts migratedDatabase(t, migrations): a plugin service's database of this run's engine,
 *                 migrated, { db, dialect, place, openAgain() }, closed at teardown (plugin-database.test.ts)
 * logger.ts       testLogger({ level?, sink? }): the kernel's logger, silent unless given a sink
 * http.ts         requestJson, freePort
 * temp.ts         tempDir
 * wait.ts         waitFor, sleep, nextMillisecond
 * ws.ts           WsClient (aliases TestSocket, EventSocket), connect
 * agents.ts       registerAgent, registerTeam, as, callTool, toolText, toolJson, seed ids
 * coordination.ts startCoordination: auth, mail and tasks
 * workers.ts      startWorkerFleet, startWorkersFleet, fakeAgentWorkers, logLines
 * tmux.ts         private tmux sockets
 * processes.ts    pids, process groups, worker clean-up, `fleet up` as a child process
 * pane-host.ts    pane hosts without a fleet: a worker dir's spawn spec, the host as a child or in tmux, its socket
 * programs.ts     runProgram: any program run to completion with exactly the environment given
 * cli.ts          fleetCli, runFleetCli, operatorCli: the real `fleet` command as a child process
 * paths.ts        REPO_ROOT, FLEET_BIN, FAKE_AGENT
 * browser.ts      launchBrowser, openDashboard, browserMissing: the dashboard in Debian's Chromium (playwright-core)
 * (conformance.ts, the operation conformance suite, and claude-code.ts, running a scene with the
 * real Claude Code CLI, are imported on their own.)
 */
export * from './agents.js';
export * from './browser.js';
export * from './cli.js';
export * from './git.js';
export * from './coordination.js';
export * from './fleet.js';
export * from './http.js';
export * from './logger.js';
export * from './pane-host.js';
export * from './paths.js';
export * from './plugin-database.js';
export * from './processes.js';
export * from './programs.js';
export * from './storage.js';
export * from './temp.js';
export type * from './test-like.js';
export * from './tmux.js';
export * from './wait.js';
export * from './workers.js';
export * from './ws.js';
