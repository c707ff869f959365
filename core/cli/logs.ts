import { plain, Transcript } from '../workers/transcript.js';
import { usageError } from './errors.js';
import { operatorFor } from './operator.js';
import { operatorHelp, parseWorkerCommand } from './operator-command.js';

const HELP = operatorHelp(
  'fleet logs <handle> [-f] [-n <lines>] [--team <team>]',
  `A worker's transcript, as its pane shows it: the inputs it was given, what it said, its tool calls
and their results, each turn's result and cost (rendered from its log, not raw JSON).
With -f, keep printing what it writes until Ctrl-C.`,
  `  -f, --follow        Keep following the log
  -n, --lines <n>     Start from its last <n> log lines (default 200, at most 1000)
`,
);

interface OutputPage {
  lines: { offset: number; text: string }[];
  cursor: number;
}

const POLL_MS = 500;

export async function run(args: string[]): Promise<number> {
  const parsed = parseWorkerCommand(args, HELP, {
    follow: { type: 'boolean', short: 'f' },
    lines: { type: 'string', short: 'n' },
  });
  if (!parsed) return 0;
  const { values, handle } = parsed;
  const limit = values.lines === undefined ? 200 : Number(values.lines);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw usageError(`--lines must be a whole number from 1 to 1000 (got ${JSON.stringify(values.lines)})`);
  const operator = await operatorFor(values);

  // Colours for a terminal; a pipe or a file gets plain text (NO_COLOR too).
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const transcript = new Transcript();
  let stopped = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    stopped = true;
    wake?.();
  };
  // `fleet logs w1 -f | head` closes the pipe: that ends the command quietly.
  process.stdout.on('error', stop);
  const print = (page: OutputPage) => {
    const out = page.lines.flatMap((line) => transcript.render(line.text)).map((line) => (color ? line : plain(line)));
    if (out.length > 0 && !stopped) process.stdout.write(out.join('\n') + '\n');
  };

  const path = `/orchestrate/output/${handle}`;
  let page = await operator.call<OutputPage>('GET', `${path}?limit=${limit}`);
  print(page);
  if (!values.follow) return 0;
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let cursor = page.cursor;
  while (!stopped) {
    await new Promise<void>((resolveWait) => {
      const timer = setTimeout(resolveWait, POLL_MS);
      wake = () => {
        clearTimeout(timer);
        resolveWait();
      };
    });
    if (stopped) break;
    page = await operator.call<OutputPage>('GET', `${path}?cursor=${cursor}&limit=1000`);
    print(page);
    cursor = page.cursor;
  }
  return 0;
}
