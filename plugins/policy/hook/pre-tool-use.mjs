#!/usr/bin/env node
// The fleet's PreToolUse hook: Claude Code runs it before every tool call of a fleet worker (see
// ../hook-settings.ts), with the call on stdin. It asks the fleet for a decision and answers in
// Claude Code's hook JSON: allow, deny (with a reason the model reads), or nothing (the worker's own
// permission mode decides). An `ask` waits for a lead's approval. It FAILS CLOSED: whatever goes
// wrong (the fleet is down, slow, answers garbage or an error, this script throws) denies the call.
//
// Plain JavaScript with no dependencies and only node:http(s): it starts on every tool call of every
// worker, so it loads nothing it does not need (no TypeScript loader, none of the project's code).
//
// Env (Claude Code's own, which the fleet gave its worker): FLEET_URL, FLEET_TOKEN (never printed).
// FLEET_POLICY_CHECK_TIMEOUT_MS (default 10000): the deadline of the decision request;
// FLEET_POLICY_WAIT_TIMEOUT_MS (default 35000): of each approval wait request (the fleet holds ~25 s).
// Argument --approval-timeout-seconds=<n>: how long an approval may take when the fleet says no
// expiresAt (the settings builder passes the policy's approval timeout).

import { writeSync } from 'node:fs';

const MAX_INPUT_BYTES = 64 * 1024 * 1024;
const MAX_ANSWER_BYTES = 1024 * 1024;
/** Past the approval's expiry the fleet may still be deciding it: wait this much longer. */
const EXPIRY_GRACE_MS = 5000;
/** A wait answered `pending` sooner than this is not repeated at once (a fleet not holding the request). */
const MIN_WAIT_ROUND_MS = 500;

/** A failure of the check itself: its message says what failed, never the token. */
class CheckFailed extends Error {}

function positiveInt(value, fallback) {
  const number = Number(value);
  return Number.isFinite(number) && number > 0 ? Math.floor(number) : fallback;
}

function argValue(name) {
  const prefix = `--${name}=`;
  const arg = process.argv.slice(2).find((item) => item.startsWith(prefix));
  return arg === undefined ? undefined : arg.slice(prefix.length);
}

function readStdin() {
  return new Promise((resolveRead, rejectRead) => {
    const chunks = [];
    let size = 0;
    process.stdin.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_INPUT_BYTES) rejectRead(new CheckFailed('the tool call is too large to check'));
      else chunks.push(chunk);
    });
    process.stdin.on('end', () => resolveRead(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', (error) => rejectRead(new CheckFailed(`could not read the tool call: ${error.message}`)));
  });
}

/** The most context (other plugins' notes for the agent) passed on. */
const MAX_CONTEXT_CHARS = 8000;

/**
 * The answer Claude Code reads; written in one synchronous write so nothing is half-printed. A
 * decision of `none` with context answers the context alone (the agent's permission mode decides).
 */
function answer(decision, reason, context) {
  const specific = { hookEventName: 'PreToolUse' };
  if (decision !== 'none') {
    specific.permissionDecision = decision;
    specific.permissionDecisionReason = reason;
  }
  if (context) specific.additionalContext = context;
  writeSync(1, JSON.stringify({ hookSpecificOutput: specific }) + '\n');
}

/** The fleet's notes for the agent on an allow or none: a string, cut to a bound; anything else is none. */
function contextOf(check) {
  if (typeof check.context !== 'string' || check.context.trim() === '') return undefined;
  return check.context.length > MAX_CONTEXT_CHARS ? check.context.slice(0, MAX_CONTEXT_CHARS) : check.context;
}

/** POST a JSON body to the fleet; resolves with { status, body } (body parsed, or undefined if not JSON). */
async function post(base, path, token, body, timeoutMs) {
  let url;
  try {
    url = new URL(path, base.endsWith('/') ? base : `${base}/`);
  } catch {
    throw new CheckFailed('FLEET_URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CheckFailed('FLEET_URL is not http(s)');
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolvePost, rejectPost) => {
    let settled = false;
    let timer;
    const settle = (error, result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) rejectPost(error);
      else resolvePost(result);
    };
    const req = request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'content-length': payload.length,
        accept: 'application/json',
      },
    });
    timer = setTimeout(() => {
      settle(new CheckFailed(`the fleet did not answer within ${timeoutMs} ms`));
      req.destroy();
    }, timeoutMs);
    req.on('error', (error) => {
      settle(new CheckFailed(`could not reach the fleet at ${url.origin} (${error.code ?? error.message})`));
    });
    req.on('response', (res) => {
      const chunks = [];
      let size = 0;
      res.on('data', (chunk) => {
        size += chunk.length;
        if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
      });
      res.on('error', () => undefined);
      res.on('close', () => settle(new CheckFailed('the fleet closed the connection before its answer ended')));
      res.on('end', () => {
        if (size > MAX_ANSWER_BYTES) return settle(new CheckFailed('the fleet answered too much'));
        let parsed;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          parsed = undefined;
        }
        settle(undefined, { status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.end(payload);
  });
}

/** A non-200 answer as a failure, with the fleet's error code when it gave one. */
function httpFailure(what, response) {
  const code = response.body && typeof response.body.code === 'string' ? `, ${response.body.code}` : '';
  return new CheckFailed(`${what} answered HTTP ${response.status}${code}`);
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `Fleet policy "<rule>": <reason>`: what the model is told about a decision. A reason that names
 * the fleet policy already (the fleet's own wording) is kept as it is.
 */
function policyReason(check, fallback) {
  const given = typeof check.reason === 'string' && check.reason ? check.reason : undefined;
  if (given && /\bfleet policy\b/i.test(given)) return given;
  const rule = isObject(check.rule) && typeof check.rule.name === 'string' ? ` "${check.rule.name}"` : '';
  return `Fleet policy${rule}: ${given ?? fallback}`;
}

const sleep = (ms) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** The outcome of a settled approval wait, or undefined while it is pending. */
function settledApproval(check, body) {
  if (body.status === 'pending') return undefined;
  const asked = policyReason(check, 'a lead must approve this call');
  const said = typeof body.reason === 'string' && body.reason ? body.reason : undefined;
  // The fleet's decision counts when it gives one (an expiry may allow; a used approval denies).
  let decision = body.decision;
  if (decision !== 'allow' && decision !== 'deny') {
    if (body.status === 'approved') decision = 'allow';
    else if (body.status === 'denied' || body.status === 'expired') decision = 'deny';
    else throw new CheckFailed('the approval wait answered an unknown status');
  }
  const fallback = decision === 'allow' ? 'approved' : body.status === 'expired' ? 'not approved in time' : 'denied';
  return { decision, reason: `${asked} (${said ?? fallback})` };
}

/** Wait for a lead to decide an approval: 'allow' or 'deny' with the reason. */
async function waitForApproval(env, check) {
  const id = check.approvalId;
  if (typeof id !== 'string' || id === '') throw new CheckFailed('the fleet asked for an approval without its id');
  const expiresAt = typeof check.expiresAt === 'string' ? Date.parse(check.expiresAt) : NaN;
  const fallbackMs = positiveInt(argValue('approval-timeout-seconds'), 600) * 1000;
  const deadline = (Number.isFinite(expiresAt) ? expiresAt : Date.now() + fallbackMs) + EXPIRY_GRACE_MS;
  const path = `approvals/${encodeURIComponent(id)}/wait`;
  for (;;) {
    const started = Date.now();
    const left = deadline - started;
    if (left <= 0) return { decision: 'deny', reason: policyReason(check, 'no lead approved this call in time') };
    const response = await post(env.url, path, env.token, {}, Math.min(env.waitTimeoutMs, left));
    if (response.status !== 200) throw httpFailure('the approval wait', response);
    if (!isObject(response.body)) throw new CheckFailed('the approval wait answered something that is not JSON');
    const outcome = settledApproval(check, response.body);
    if (outcome) return outcome;
    const spent = Date.now() - started;
    if (spent < MIN_WAIT_ROUND_MS) await sleep(MIN_WAIT_ROUND_MS - spent);
  }
}

async function decide() {
  const env = {
    url: process.env.FLEET_URL ?? '',
    token: process.env.FLEET_TOKEN ?? '',
    checkTimeoutMs: positiveInt(process.env.FLEET_POLICY_CHECK_TIMEOUT_MS, 10_000),
    waitTimeoutMs: positiveInt(process.env.FLEET_POLICY_WAIT_TIMEOUT_MS, 35_000),
  };
  // The call is read first, whatever happens next: Claude Code is writing it to us.
  let call;
  try {
    call = JSON.parse(await readStdin());
  } catch (error) {
    if (error instanceof CheckFailed) throw error;
    throw new CheckFailed('the tool call from Claude Code is not JSON');
  }
  if (!env.url) throw new CheckFailed('FLEET_URL is not set');
  if (!env.token) throw new CheckFailed('FLEET_TOKEN is not set');
  if (!isObject(call) || typeof call.tool_name !== 'string') throw new CheckFailed('the tool call names no tool');
  const body = { tool: call.tool_name, input: isObject(call.tool_input) ? call.tool_input : {} };
  if (typeof call.tool_use_id === 'string') body.toolUseId = call.tool_use_id;
  if (typeof call.session_id === 'string') body.sessionId = call.session_id;
  if (typeof call.cwd === 'string') body.cwd = call.cwd;
  const response = await post(env.url, 'policies/check', env.token, body, env.checkTimeoutMs);
  if (response.status !== 200) throw httpFailure('the policy check', response);
  const check = response.body;
  if (!isObject(check)) throw new CheckFailed('the policy check answered something that is not JSON');
  switch (check.decision) {
    case 'allow':
      return { decision: 'allow', reason: policyReason(check, 'allowed'), context: contextOf(check) };
    case 'deny':
      return { decision: 'deny', reason: policyReason(check, 'denied') };
    case 'none':
      return { decision: 'none', context: contextOf(check) };
    case 'ask':
      return waitForApproval(env, check);
    default:
      throw new CheckFailed('the policy check answered no known decision');
  }
}

function failClosed(error) {
  const what = error instanceof CheckFailed ? error.message : 'the hook failed unexpectedly';
  return (
    `Fleet policy check failed (${what}), so this tool call is denied. ` +
    'Nothing was run. Tell your lead if this keeps happening.'
  );
}

try {
  const result = await decide();
  if (result.decision !== 'none' || result.context) answer(result.decision, result.reason, result.context);
  process.exitCode = 0;
} catch (error) {
  try {
    answer('deny', failClosed(error));
    process.exitCode = 0;
  } catch {
    // stdout is gone: exit 2 is Claude Code's other way to block, with stderr as the reason.
    process.stderr.write(failClosed(error) + '\n');
    process.exitCode = 2;
  }
}
// Nothing may keep the hook alive past its answer (a socket left open, a timer).
process.exit();
