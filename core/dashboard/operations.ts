import * as v from 'valibot';
import { isLead } from '../access.js';
import type { Identity } from '../auth/identity.js';
import { operationsFor } from '../operations/operation.js';
import type { PanelInfo } from './panels.js';

/** What the dashboard's read operations see of the running kernel. */
export interface DashboardView {
  /** The panels of the plugins on now, in nav order. */
  panels(): PanelInfo[];
  /** Every plugin of the catalog: on or off and why, with its panel when it is on and has one. */
  dashboardPlugins(): DashboardPlugin[];
}

export interface DashboardPlugin {
  name: string;
  state: 'on' | 'off';
  reason?: string;
  description?: string;
  panel: PanelInfo | null;
}

/** The identity a token proves, as the dashboard shows it. */
export function identityView(identity: Identity) {
  const { uid, handle, teamName, agentType, role } = identity;
  return { uid, handle, teamName, agentType, role, isLead: isLead(identity) };
}

const op = operationsFor<DashboardView>();

/**
 * The dashboard's reads: kernel operations (documented in /openapi.json, no tools). Sign-in is not
 * among them: it is served by the dashboard's router (it needs the caller's token, and the code
 * exchange must never be a tool).
 */
export const dashboardOperations = [
  op({
    name: 'dashboardMe',
    summary: 'The identity of the token: uid, handle, team, type, role, and whether it leads its team',
    access: 'agent',
    input: v.object({}),
    http: { method: 'GET', path: '/dashboard/me' },
    run: ({ caller }) => identityView(caller),
  }),
  op({
    name: 'dashboardPanels',
    summary: 'The dashboard panels of the plugins on now (they come and go with the config)',
    access: 'agent',
    input: v.object({}),
    http: { method: 'GET', path: '/dashboard/panels' },
    run: ({ api }) => ({ panels: api.panels() }),
  }),
  op({
    name: 'dashboardPlugins',
    summary: 'Every plugin: on or off and why, and its dashboard panel',
    access: 'agent',
    input: v.object({}),
    http: { method: 'GET', path: '/dashboard/plugins' },
    run: ({ api }) => ({ plugins: api.dashboardPlugins() }),
  }),
];
