/**
 * The plugins' dashboard panels in a real browser (Debian's Chromium through playwright-core, one per
 * file), against one real fleet with every plugin that brings a panel: the task board moving a task
 * between columns as it changes (through the API and from the page), then each view showing the data
 * the test put there through the API (mail, costs, swarm, runs, workflows, policy, plugins), with a
 * screenshot of each (FLEET_DASHBOARD_DOCS=1 also refreshes docs/dashboard/<view>.png).
 */
import t from 'tap';
import type { Browser } from 'playwright-core';
import { browserMissing, launchBrowser, openDashboard, startFleet, type TestFleet } from '../kit/index.js';

const skip = browserMissing();

let browser: Browser | undefined;
/** The file's one Chromium, launched by the first test that needs it, closed when the file ends. */
async function chromium(): Promise<Browser> {
  browser ??= await launchBrowser(t);
  return browser;
}

/** An API call that must succeed; its body. */
async function must(fleet: TestFleet, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fleet.request(method, path, { token, body });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

const line = (message: Record<string, unknown>) => JSON.stringify({ ...message, session_id: 'scout-session-1' });

t.test('the panels, one fleet', { skip }, async (t) => {
  const fleet = await startFleet(t, {
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      workers: true,
      sessions: true,
      budgets: true,
      checkpoints: true,
      policy: true,
      swarm: true,
      scheduler: true,
      workflows: true,
    },
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  const { token: lead, uid: leadUid } = await fleet.register('lead', 'alpha', 'team-lead');
  const ann = await fleet.register('ann', 'alpha');
  await fleet.register('bob', 'alpha');
  const dash = await openDashboard(t, await chromium(), fleet, { token: lead });

  t.test('tasks: a board by status; a task moves columns as it changes, from the API and from the page', async (t) => {
    const parser = await must(fleet, lead, 'POST', '/tasks', { subject: 'Write the parser', toHandle: 'ann' });
    const release = await must(fleet, lead, 'POST', '/tasks', {
      subject: 'Ship the release',
      toHandle: 'bob',
      blockedBy: [parser.id],
    });
    const board = await dash.go('tasks');
    const card = (id: string, column: string) => board.locator(`[data-column="${column}"] [data-task="${id}"]`);
    await card(parser.id, 'open').waitFor();
    await card(release.id, 'open').waitFor();
    t.match(await card(release.id, 'open').innerText(), /blocked by\s+Write the parser/, 'its dependency');
    t.match(await card(parser.id, 'open').innerText(), /ann/, 'its owner');

    // The owner starts it (through the API): the card moves on its own.
    await must(fleet, ann.token, 'PATCH', `/tasks/${parser.id}`, { status: 'in_progress' });
    await card(parser.id, 'in_progress').waitFor({ timeout: 5000 });
    t.pass('in progress after the owner says so');
    await dash.screenshot('tasks', { doc: 'tasks' });

    // The lead resolves it from the page.
    await card(parser.id, 'in_progress').locator('[data-action="resolve"]').click();
    await card(parser.id, 'resolved').waitFor({ timeout: 5000 });
    t.equal((await must(fleet, lead, 'GET', `/tasks/${parser.id}`)).status, 'resolved', 'resolved on the server');
    await board.locator(`[data-task="${release.id}"] .tasks-dep-done[data-blocker="${parser.id}"]`).waitFor();
    t.pass("the release's blocker shows as done");

    // And creates one with the form.
    await board.getByRole('button', { name: 'New task' }).click();
    await board.locator('[data-form="new-task"] input[name="subject"]').fill('Write the changelog');
    await board.locator('[data-form="new-task"] [type="submit"]').click();
    await board.locator('[data-column="open"] [data-task]', { hasText: 'Write the changelog' }).waitFor();
    const listed = await must(fleet, lead, 'GET', '/teams/alpha/tasks');
    const changelog = (listed as any[]).find((task) => task.subject === 'Write the changelog');
    t.ok(changelog, 'the task the form created is on the server');

    // A lead raises its priority and gives it to bob from its card.
    const changelogCard = board.locator(`[data-task="${changelog.id}"]`);
    await changelogCard.locator('[data-action="priority"]').selectOption('high');
    await changelogCard.locator('[data-priority="high"]').waitFor({ timeout: 5000 });
    t.equal((await must(fleet, lead, 'GET', `/tasks/${changelog.id}`)).priority, 'high', 'its priority on the server');
    await changelogCard.locator('[data-action="assign"]').selectOption('bob');
    await changelogCard.locator('[data-owner="bob"]').waitFor({ timeout: 5000 });
    t.equal((await must(fleet, lead, 'GET', `/tasks/${changelog.id}`)).ownerHandle, 'bob', 'assigned on the server');
    t.equal(await changelogCard.locator('[data-action="assign"]').count(), 0, 'an owned task offers no assign');
  });

  t.test('mail and chats: a mail to the lead, opened; a direct chat', async (t) => {
    await must(fleet, ann.token, 'POST', '/mail', { to: 'lead', subject: 'Parser', body: 'The parser is half done.' });
    const chat = await must(fleet, ann.token, 'POST', '/chats', { uid1: ann.uid, uid2: leadUid });
    const chatId = chat.id ?? chat.chatId;
    await must(fleet, ann.token, 'POST', `/chats/${chatId}/messages`, { text: 'Can I take the lexer too?' });
    const view = await dash.go('mail');
    await view.getByText('Can I take the lexer too?').first().waitFor();
    const mail = view.locator('[data-mail]', { hasText: 'Parser' });
    await mail.click();
    await mail.getByText('The parser is half done.').waitFor();
    t.pass('the chat and the mail show');
    await dash.screenshot('mail', { doc: 'mail' });
  });

  t.test("costs: an external worker's reported cost, by worker", async (t) => {
    await must(fleet, lead, 'POST', '/orchestrate/workers/register', { handle: 'scout', format: 'ndjson' });
    await must(fleet, lead, 'POST', '/orchestrate/workers/scout/output', {
      lines: [
        line({ type: 'system', subtype: 'init', model: 'claude-sonnet-4-5' }),
        line({ type: 'assistant', message: { content: [{ type: 'text', text: 'mapped the repo' }] } }),
        line({
          type: 'result',
          subtype: 'success',
          is_error: false,
          result: 'mapped the repo',
          total_cost_usd: 0.42,
          num_turns: 3,
          usage: { input_tokens: 12_000, output_tokens: 800 },
          modelUsage: { 'claude-sonnet-4-5': { inputTokens: 12_000, outputTokens: 800, costUSD: 0.42 } },
        }),
      ],
    });
    const view = await dash.go('costs');
    await view.getByText('scout').first().waitFor();
    t.match(await view.innerText(), /\$0\.42/, 'its cost');
    await dash.screenshot('costs', { doc: 'costs' });
  });

  t.test('swarm: its blackboard and hot files', async (t) => {
    const swarm = await must(fleet, lead, 'POST', '/swarms', { name: 'refactor', description: 'Split the monolith' });
    const swarmId = swarm.id ?? swarm.swarm?.id;
    await must(fleet, lead, 'POST', '/blackboard', {
      swarmId,
      messageType: 'status',
      payload: { text: 'The parser module is claimed' },
    });
    await must(fleet, lead, 'POST', '/pheromones', {
      swarmId,
      resourceType: 'file',
      resourceId: 'src/parser.ts',
      trailType: 'modify',
      intensity: 5,
    });
    const view = await dash.go('swarm');
    await view.getByText('refactor').first().waitFor();
    await view.getByText('src/parser.ts').first().waitFor();
    t.pass('the swarm and its hot file show');
    await dash.screenshot('swarm', { doc: 'swarm' });
  });

  t.test('runs: a schedule', async (t) => {
    await must(fleet, lead, 'POST', '/scheduler/schedules', {
      name: 'nightly-tests',
      cron: '0 3 * * *',
      tasks: ['generate-tests'],
    });
    const view = await dash.go('runs');
    await view.getByText('nightly-tests').first().waitFor();
    t.pass('the schedule shows');
    await dash.screenshot('runs', { doc: 'runs' });
  });

  t.test('workflows: a workflow and an execution', async (t) => {
    const workflow = await must(fleet, lead, 'POST', '/workflows', {
      name: 'release-train',
      definition: { steps: [{ key: 'hold', type: 'wait', config: { durationMs: 3_600_000 } }] },
    });
    const workflowId = workflow.id ?? workflow.workflow?.id;
    await must(fleet, lead, 'POST', `/workflows/${workflowId}/start`, {});
    const view = await dash.go('workflows');
    await view.getByText('release-train').first().waitFor();
    t.pass('the workflow shows');
    await dash.screenshot('workflows', { doc: 'workflows' });
  });

  t.test('policy: its rules', async (t) => {
    await must(fleet, lead, 'POST', '/policies', {
      name: 'ask-deploy',
      decision: 'ask',
      tool: 'Bash',
      pattern: 'deploy',
      reason: 'Deploys need a lead',
    });
    const view = await dash.go('policy');
    await view.getByText('ask-deploy').first().waitFor();
    t.pass('the rule shows');
    await dash.screenshot('policy', { doc: 'policy' });
  });

  t.test('plugins: which are on and why', async (t) => {
    const view = await dash.go('plugins');
    for (const name of ['tasks', 'workers', 'swarm', 'scheduler']) await view.getByText(name).first().waitFor();
    t.pass('the plugins on are listed');
    await dash.screenshot('plugins', { doc: 'plugins' });
  });

  // Subtests run in order: this one after every view.
  t.test('no page errors in any view', async (t) => t.same(dash.errors, []));
});
