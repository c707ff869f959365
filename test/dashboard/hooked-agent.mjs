#!/usr/bin/env node
// The test fake agent (test/fixtures/fake-agent.mjs) with one thing Claude Code does that it lacks:
// PreToolUse hooks. Run as `claude` with the same arguments; it runs the fake agent as its child and
// passes everything through, except a prompt line `HOOKED <tool> <json input>`: that call first goes
// through the PreToolUse hooks of the --settings file (the policy plugin's fail-closed hook), as
// Claude Code runs them (the call as JSON on stdin, the worker's environment), and only then does
// the turn reach the agent: allowed, the line becomes `allowed <tool>: <reason>` (answered
// `ack: allowed ...`); denied, it becomes `DENY <tool> <json>` (a refused call, as Claude Code reports
// it). So an `ask` rule holds the worker mid-turn until a lead decides, as it would a real one.
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const FAKE_AGENT = new URL('../fixtures/fake-agent.mjs', import.meta.url).pathname;
const args = process.argv.slice(2);
const settingsAt = args.indexOf('--settings');
const settings = settingsAt === -1 ? {} : JSON.parse(readFileSync(args[settingsAt + 1], 'utf8'));
const sessionAt = Math.max(args.indexOf('--session-id'), args.indexOf('--resume'));
const sessionId = sessionAt === -1 ? randomUUID() : args[sessionAt + 1];
/** The command hooks of PreToolUse whose matcher takes this tool ('*' or the tool's name). */
const hooksFor = (tool) =>
  (settings.hooks?.PreToolUse ?? [])
    .filter((entry) => entry.matcher === '*' || entry.matcher === tool || entry.matcher === undefined)
    .flatMap((entry) => entry.hooks ?? [])
    .filter((hook) => hook.type === 'command');

const agent = spawn(process.execPath, [FAKE_AGENT, ...args], { stdio: ['pipe', 'inherit', 'inherit'] });
agent.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

/** One hook run: the call on stdin; its decision from hookSpecificOutput (exit 2 blocks, with stderr). */
function runHook(hook, call) {
  return new Promise((resolveRun) => {
    const child = execFile(
      hook.command,
      hook.args ?? [],
      { timeout: (hook.timeout ?? 60) * 1000, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && error.code === 2) return resolveRun({ decision: 'deny', reason: stderr.trim() });
        if (error) return resolveRun({ decision: 'deny', reason: `hook failed: ${error.message}` });
        try {
          const output = JSON.parse(stdout).hookSpecificOutput ?? {};
          resolveRun({ decision: output.permissionDecision ?? 'none', reason: output.permissionDecisionReason ?? '' });
        } catch {
          resolveRun({ decision: 'none', reason: '' });
        }
      },
    );
    child.stdin.end(JSON.stringify(call));
  });
}

/** A HOOKED line as the agent gets it once the hooks have decided. */
async function gated(line) {
  const [, tool, ...json] = line.trim().split(' ');
  const input = json.length ? JSON.parse(json.join(' ')) : {};
  const call = {
    session_id: sessionId,
    hook_event_name: 'PreToolUse',
    tool_name: tool,
    tool_input: input,
    tool_use_id: `toolu_${randomUUID().slice(0, 8)}`,
    cwd: process.cwd(),
  };
  for (const hook of hooksFor(tool)) {
    const { decision, reason } = await runHook(hook, call);
    if (decision === 'deny') return `DENY ${tool} ${JSON.stringify(input)}`;
    if (decision === 'allow') return `allowed ${tool}: ${reason}`;
  }
  return `allowed ${tool}: no hook decided`;
}

async function pass(line) {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    return line;
  }
  const content = message.message?.content;
  if (message.type !== 'user') return line;
  const text = typeof content === 'string' ? content : (content ?? []).map((block) => block.text ?? '').join('\n');
  if (!text.split('\n').some((l) => l.trim().startsWith('HOOKED '))) return line;
  const lines = [];
  for (const l of text.split('\n')) lines.push(l.trim().startsWith('HOOKED ') ? await gated(l) : l);
  return JSON.stringify({ ...message, message: { ...message.message, content: lines.join('\n') } });
}

// In order, one at a time: a turn held by its hook holds the ones after it, as Claude Code's queue does.
let queue = Promise.resolve();
createInterface({ input: process.stdin })
  .on('line', (line) => {
    queue = queue.then(async () => agent.stdin.write(`${await pass(line)}\n`));
  })
  .on('close', () => queue.then(() => agent.stdin.end()));
