#!/usr/bin/env node
// The fake agent (test/fixtures/fake-agent.mjs) plus one directive, for result-trails.test.ts:
//   BASH <exitCode> <command>   report a Bash tool_use of <command> and its tool_result (is_error when the
//                               exit code is not 0, with Claude Code's "Exit code N" text), nothing run
// A prompt's BASH lines are answered here, before the prompt goes on to the fake agent (which acks it);
// everything else is the fake agent's, on the same stdout.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const FAKE_AGENT = fileURLToPath(new URL('../../../test/fixtures/fake-agent.mjs', import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
};
// The fake agent makes its own id when none is given: the ids here only need to be unique.
const sessionId = flag('--resume') ?? flag('--session-id') ?? randomUUID();
const child = spawn(process.execPath, [FAKE_AGENT, ...args], { stdio: ['pipe', 'inherit', 'inherit'] });
child.on('exit', (code) => process.exit(code ?? 1));

const emit = (message) =>
  process.stdout.write(JSON.stringify({ ...message, session_id: sessionId, uuid: randomUUID() }) + '\n');

function bash(exitCode, command) {
  const id = `toolu_${randomUUID().slice(0, 8)}`;
  emit({
    type: 'assistant',
    message: {
      id: `msg_${randomUUID()}`,
      type: 'message',
      role: 'assistant',
      model: flag('--model') ?? 'fake-model-1',
      content: [{ type: 'tool_use', id, name: 'Bash', input: { command } }],
      stop_reason: null,
      usage: { input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
    parent_tool_use_id: null,
  });
  const failed = exitCode !== 0;
  emit({
    type: 'user',
    message: {
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: id,
          content: failed ? `Exit code ${exitCode}\nfailed` : 'ok',
          is_error: failed,
        },
      ],
    },
    parent_tool_use_id: null,
  });
}

createInterface({ input: process.stdin })
  .on('line', (line) => {
    try {
      const message = JSON.parse(line);
      const content = message.message?.content;
      const text = typeof content === 'string' ? content : (content ?? []).map((b) => b.text ?? '').join('\n');
      for (const directive of text.split('\n')) {
        const match = /^BASH (\d+) (.+)$/.exec(directive.trim());
        if (match) bash(Number(match[1]), match[2]);
      }
    } catch {
      // The fake agent says what is wrong with a line it cannot read.
    }
    child.stdin.write(`${line}\n`);
  })
  .on('close', () => child.stdin.end());
