#!/usr/bin/env node
// A test agent for the mission suite, run as the workers plugin's `claude`: it speaks Claude Code's
// stream-json (system/init, an assistant text, a result per turn) and does one step of work per turn:
// it appends a line to steps.txt in its working directory (the worker's worktree). It keeps the
// prompt of each turn in prompts.log beside it, so a test can read what the fleet sent.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const args = process.argv.slice(2);
const flag = (name) => {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
};
const sessionId = flag('--resume') ?? flag('--session-id') ?? randomUUID();
const emit = (message) =>
  process.stdout.write(JSON.stringify({ ...message, session_id: sessionId, uuid: randomUUID() }) + '\n');
let turns = 0;
let cost = 0;

function turn(text) {
  emit({ type: 'system', subtype: 'init', cwd: process.cwd(), tools: ['Bash'], mcp_servers: [], model: 'step-1' });
  const before = existsSync('steps.txt') ? readFileSync('steps.txt', 'utf8').split('\n').filter(Boolean).length : 0;
  appendFileSync('steps.txt', `step ${before + 1}\n`);
  appendFileSync('prompts.log', `--- turn ${turns + 1}\n${text}\n`);
  const result = `wrote step ${before + 1}`;
  emit({
    type: 'assistant',
    message: {
      id: `msg_${randomUUID()}`,
      type: 'message',
      role: 'assistant',
      model: 'step-1',
      content: [{ type: 'text', text: result }],
      stop_reason: null,
      usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
    parent_tool_use_id: null,
  });
  turns += 1;
  cost = Math.round((cost + 0.01) * 1e6) / 1e6;
  emit({
    type: 'result',
    subtype: 'success',
    is_error: false,
    num_turns: turns,
    result,
    duration_ms: 1,
    duration_api_ms: 1,
    total_cost_usd: cost,
    usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  });
}

createInterface({ input: process.stdin })
  .on('line', (line) => {
    const message = JSON.parse(line);
    if (message.type !== 'user') return;
    const content = message.message?.content;
    turn(typeof content === 'string' ? content : (content ?? []).map((block) => block.text ?? '').join('\n'));
  })
  .on('close', () => process.exit(0));
