/**
 * A generated Claude Code stream-json log for the logstream benchmark: whole sessions of turns
 * in the documented shapes (init, assistant text and tool calls, tool results, result), with the
 * size mix of real sessions: tool results (file reads, command output) carry most of the bytes.
 */
import { createWriteStream } from 'node:fs';

/** Deterministic, so every run parses the same bytes. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Mostly ASCII, as code and English prose are, with escapes (quotes, tabs, backslashes) and a
// few accented words and an emoji: about one word in forty is not ASCII.
const WORDS = [
  ...(
    'the fleet worker ringbus parser event spine tmux pane tool result const await return export function ' +
    'import from if else for while let new class this async string number boolean'
  ).split(' '),
  ...(
    '{ } ( ) => ; = === !== [ ] // /** */ src/core/native.ts test/native/logstream.test.ts ' +
    '42 0.5 true false null undefined'
  ).split(' '),
  ...'"quoted" tab\there back\\slash naïve café 😀'.split(' '),
];

function text(random: () => number, bytes: number): string {
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const word = WORDS[Math.floor(random() * WORDS.length)]!;
    parts.push(word);
    size += word.length + 1;
    if (random() < 0.08) parts.push('\n');
  }
  return parts.join(' ');
}

function fileContent(random: () => number, lines: number): string {
  return Array.from(
    { length: lines },
    (_, i) => `${String(i + 1).padStart(6)}\t${text(random, 20 + Math.floor(random() * 70))}`,
  ).join('\n');
}

function* session(random: () => number, id: number): Generator<object> {
  const sessionId = `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`;
  const common = { parent_tool_use_id: null, session_id: sessionId };
  let cost = 0;
  const turns = 3 + Math.floor(random() * 5);
  for (let turn = 0; turn < turns; turn++) {
    yield {
      type: 'system',
      subtype: 'init',
      cwd: '/repo',
      session_id: sessionId,
      tools: [
        'Task',
        'Bash',
        'Read',
        'Edit',
        'Write',
        'Grep',
        'Glob',
        'mcp__fleet__team_status',
        'mcp__fleet__mail_send',
      ],
      mcp_servers: [{ name: 'fleet', status: 'connected' }],
      model: 'claude-sonnet-5-5',
      permissionMode: 'acceptEdits',
      apiKeySource: 'ANTHROPIC_API_KEY',
      claude_code_version: '2.1.330',
      uuid: `u-${id}-${turn}`,
    };
    const steps = 2 + Math.floor(random() * 8);
    for (let step = 0; step < steps; step++) {
      const messageId = `msg_${id}_${turn}_${step}`;
      const usage = {
        input_tokens: 1000 + step,
        output_tokens: 50,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 2048,
      };
      yield {
        type: 'assistant',
        message: {
          id: messageId,
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-5-5',
          content: [{ type: 'text', text: text(random, 80 + Math.floor(random() * 900)) }],
          stop_reason: null,
          usage,
        },
        ...common,
        uuid: `a-${messageId}`,
      };
      const toolId = `toolu_${id}_${turn}_${step}`;
      const pick = random();
      const file = `/repo/core/${['native', 'events', 'ws', 'kernel'][step % 4]}/file-${step}.ts`;
      let input: object;
      let result: string;
      if (pick < 0.5) {
        input = { file_path: file, limit: 2000 };
        result = fileContent(random, 20 + Math.floor(random() * 300));
      } else if (pick < 0.7) {
        input = { command: 'npm test -- --reporter=tap', description: 'Run the tests' };
        result = text(random, 300 + Math.floor(random() * 5000));
      } else if (pick < 0.9) {
        input = {
          file_path: file,
          old_string: text(random, 100 + Math.floor(random() * 600)),
          new_string: text(random, 100 + Math.floor(random() * 600)),
        };
        result = `The file ${file} has been updated.`;
      } else {
        input = { file_path: file, content: fileContent(random, 30 + Math.floor(random() * 120)) };
        result = `File created successfully at: ${file}`;
      }
      const name = pick < 0.5 ? 'Read' : pick < 0.7 ? 'Bash' : pick < 0.9 ? 'Edit' : 'Write';
      yield {
        type: 'assistant',
        message: {
          id: messageId,
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-5-5',
          content: [{ type: 'tool_use', id: toolId, name, input }],
          stop_reason: null,
          usage,
        },
        ...common,
        uuid: `b-${messageId}`,
      };
      const content = random() < 0.5 ? result : [{ type: 'text', text: result }];
      yield {
        type: 'user',
        message: {
          role: 'user',
          content: [{ tool_use_id: toolId, type: 'tool_result', content, is_error: random() < 0.05 }],
        },
        ...common,
        uuid: `c-${messageId}`,
        tool_use_result: { stdout: result.slice(0, 2000), stderr: '', interrupted: false },
      };
    }
    cost += 0.01 + random() * 0.05;
    yield {
      type: 'result',
      subtype: 'success',
      is_error: false,
      num_turns: steps,
      result: text(random, 200),
      stop_reason: 'end_turn',
      terminal_reason: 'completed',
      duration_ms: 5000 + Math.floor(random() * 60_000),
      duration_api_ms: 3000,
      total_cost_usd: Number(cost.toFixed(6)),
      usage: {
        input_tokens: 20_000,
        output_tokens: 1500,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 40_000,
      },
      modelUsage: {
        'claude-sonnet-5-5': { inputTokens: 20_000, outputTokens: 1500, costUSD: cost, contextWindow: 1_000_000 },
      },
      permission_denials: [],
      session_id: sessionId,
      uuid: `r-${id}-${turn}`,
    };
  }
}

/** Write at least `minBytes` of stream-json to `path`; returns the bytes and lines written. */
export async function writeCorpus(path: string, minBytes: number): Promise<{ bytes: number; lines: number }> {
  const random = rng(20_261_124);
  const out = createWriteStream(path);
  let bytes = 0;
  let lines = 0;
  for (let id = 0; bytes < minBytes; id++) {
    let batch = '';
    for (const message of session(random, id)) {
      batch += `${JSON.stringify(message)}\n`;
      lines++;
    }
    bytes += Buffer.byteLength(batch);
    if (!out.write(batch)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return { bytes, lines };
}
