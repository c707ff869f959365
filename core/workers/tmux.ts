import { execFile } from 'node:child_process';

/** Runs tmux with an argument array and returns stdout; injectable so callers can trace calls. */
export type TmuxRunner = (args: readonly string[], input?: string) => Promise<string>;

export class TmuxError extends Error {
  constructor(
    message: string,
    readonly args: readonly string[],
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'TmuxError';
  }
}

/** The real runner: `tmux <args>` through execFile (never a shell), stdin optional. */
export function execTmux(binary = 'tmux'): TmuxRunner {
  return (args, input) =>
    new Promise((resolveRun, reject) => {
      const child = execFile(
        binary,
        [...args],
        { maxBuffer: 16 * 1024 * 1024, timeout: 15_000 },
        (error, stdout, stderr) => {
          if (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (code === 'ENOENT') {
              reject(
                new TmuxError(
                  'tmux is not installed: install it (Debian/Ubuntu: apt-get install tmux; macOS: brew install tmux)',
                  args,
                  '',
                ),
              );
            } else
              reject(
                new TmuxError(
                  `tmux ${args[2] ?? args[0]} failed: ${String(stderr).trim() || error.message}`,
                  args,
                  String(stderr),
                ),
              );
            return;
          }
          resolveRun(String(stdout));
        },
      );
      if (input !== undefined) child.stdin?.end(input);
    });
}

export interface PaneInfo {
  paneId: string;
  windowName: string;
  pid: number;
  dead: boolean;
  title: string;
}

/**
 * tmux runs a command given as ONE argument through `sh -c`, and only execs directly when given
 * two or more. A one-element argv is therefore run through `env`, which execs it without a shell.
 */
function directArgv(argv: readonly string[]): readonly string[] {
  if (argv.length === 0) throw new TmuxError('a pane needs a program to run', [], '');
  if (argv.length > 1) return argv;
  if (argv[0]!.includes('=')) throw new TmuxError(`a program name with "=" cannot run in a pane: ${argv[0]}`, [], '');
  return ['env', '--', argv[0]!];
}

const PANE_FORMAT = '#{pane_id}\t#{window_name}\t#{pane_pid}\t#{pane_dead}\t#{pane_title}';

/**
 * The fleet's own tmux server on a private socket (`tmux -L <socket>`). Every target is a
 * `%pane` id or `session:window`; text goes in literally (`send-keys -l --`) or through a paste
 * buffer, so nothing typed here is ever interpreted by a shell.
 */
export class TmuxDriver {
  readonly socket: string;
  readonly #run: TmuxRunner;
  readonly #configFile: string | undefined;

  constructor(options: { socket: string; configFile?: string; runner?: TmuxRunner }) {
    this.socket = options.socket;
    this.#run = options.runner ?? execTmux();
    this.#configFile = options.configFile;
  }

  #tmux(args: readonly string[], input?: string): Promise<string> {
    const base = ['-L', this.socket];
    if (this.#configFile) base.push('-f', this.#configFile);
    return this.#run([...base, ...args], input);
  }

  async version(): Promise<string> {
    return (await this.#run(['-V'])).trim();
  }

  async hasSession(session: string): Promise<boolean> {
    try {
      await this.#tmux(['has-session', '-t', `=${session}`]);
      return true;
    } catch (error) {
      if (error instanceof TmuxError && /not installed/.test(error.message)) throw error;
      return false;
    }
  }

  /** Create the session if it is missing; its first window runs `argv` in `cwd`. */
  async ensureSession(
    session: string,
    options: { cwd: string; argv: readonly string[]; windowName?: string; env?: Record<string, string> },
  ): Promise<boolean> {
    if (await this.hasSession(session)) return false;
    const envArgs = Object.entries(options.env ?? {}).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
    await this.#tmux([
      'new-session',
      '-d',
      '-s',
      session,
      '-n',
      options.windowName ?? 'fleet',
      '-x',
      '200',
      '-y',
      '50',
      '-c',
      options.cwd,
      ...envArgs,
      '--',
      ...directArgv(options.argv),
    ]);
    if (this.#configFile) await this.#tmux(['source-file', this.#configFile]);
    return true;
  }

  /** A new window named `name` running `argv` directly (no shell); returns its pane id. */
  async newWindow(
    session: string,
    options: { name: string; cwd: string; argv: readonly string[]; env?: Record<string, string> },
  ): Promise<string> {
    const envArgs = Object.entries(options.env ?? {}).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
    const out = await this.#tmux([
      'new-window',
      '-d',
      '-t',
      `=${session}:`,
      '-n',
      options.name,
      '-c',
      options.cwd,
      ...envArgs,
      '-P',
      '-F',
      '#{pane_id}',
      '--',
      ...directArgv(options.argv),
    ]);
    return out.trim();
  }

  /** Make a window (`@window` or `%pane` id) the current one of its session. */
  async selectWindow(target: string): Promise<void> {
    await this.#tmux(['select-window', '-t', target]);
  }

  async setPaneTitle(paneId: string, title: string): Promise<void> {
    await this.#tmux(['select-pane', '-t', paneId, '-T', title]);
  }

  async setOption(name: string, value: string, scope: '-g' | '-s' = '-g'): Promise<void> {
    await this.#tmux(['set-option', scope, name, value]);
  }

  /**
   * A user option (`@name`) of the window holding `target` (a `%pane` or `@window` id). Unlike a
   * window's name or a pane's title, nothing that runs in the pane can change it.
   */
  async setWindowOption(target: string, name: `@${string}`, value: string): Promise<void> {
    await this.#tmux(['set-option', '-w', '-t', target, name, value]);
  }

  /**
   * The windows of a session with the given user options of each (`''` where a window has none).
   * Fields are split on `|`, not a tab: a tmux client without a UTF-8 locale prints a tab as `_`.
   * The options come first (the fleet's values are handles and team names, which hold no `|`) and
   * the window's name last, whatever it holds.
   */
  async listWindows(
    session: string,
    options: readonly `@${string}`[] = [],
  ): Promise<{ windowId: string; name: string; options: Record<string, string> }[]> {
    let out: string;
    try {
      const format = ['#{window_id}', ...options.map((name) => `#{${name}}`), '#{window_name}'].join('|');
      out = await this.#tmux(['list-windows', '-t', `=${session}`, '-F', format]);
    } catch (error) {
      if (error instanceof TmuxError && /not installed/.test(error.message)) throw error;
      return [];
    }
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const fields = line.split('|');
        return {
          windowId: fields[0]!,
          name: fields.slice(options.length + 1).join('|'),
          options: Object.fromEntries(options.map((option, i) => [option, fields[i + 1] ?? ''])),
        };
      });
  }

  async listPanes(session: string): Promise<PaneInfo[]> {
    let out: string;
    try {
      out = await this.#tmux(['list-panes', '-s', '-t', `=${session}`, '-F', PANE_FORMAT]);
    } catch {
      return [];
    }
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [paneId, windowName, pid, dead, title] = line.split('\t');
        return { paneId: paneId!, windowName: windowName!, pid: Number(pid), dead: dead === '1', title: title ?? '' };
      });
  }

  /** Type text into a pane exactly as given (literal mode: key names and shell syntax stay text). */
  async sendLiteral(paneId: string, text: string): Promise<void> {
    await this.#tmux(['send-keys', '-t', paneId, '-l', '--', text]);
  }

  async sendKey(paneId: string, key: 'Enter' | 'C-c' | 'Escape'): Promise<void> {
    await this.#tmux(['send-keys', '-t', paneId, key]);
  }

  /** Paste multi-line text as one bracketed paste, keeping line feeds (`-p -r`), then delete the buffer. */
  async paste(paneId: string, text: string, buffer: string): Promise<void> {
    await this.#tmux(['load-buffer', '-b', buffer, '-'], text);
    await this.#tmux(['paste-buffer', '-t', paneId, '-b', buffer, '-p', '-r', '-d']);
  }

  async capture(paneId: string): Promise<string> {
    return this.#tmux(['capture-pane', '-p', '-J', '-t', paneId, '-S', '-']);
  }

  async killWindow(target: string): Promise<void> {
    try {
      await this.#tmux(['kill-window', '-t', target]);
    } catch {
      // Already gone: the goal is reached.
    }
  }

  /** The tmux server's pid, to nudge it with SIGCHLD when a pane's exit went unnoticed (libutempter race). */
  async serverPid(): Promise<number | undefined> {
    try {
      return Number((await this.#tmux(['display-message', '-p', '#{pid}'])).trim()) || undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Make the server reap pane processes that exited. Debian's tmux links libutempter, whose helper
   * resets SIGCHLD while a pane's pty closes: a pane process that exits then stays a zombie until
   * the server gets another SIGCHLD (tmux/tmux#311). Sending one makes it reap at once.
   */
  async reapPanes(): Promise<void> {
    const pid = await this.serverPid();
    if (!pid) return;
    try {
      process.kill(pid, 'SIGCHLD');
    } catch {
      // The server is gone: nothing to reap.
    }
  }

  async killServer(): Promise<void> {
    try {
      await this.#tmux(['kill-server']);
    } catch {
      // No server: nothing to kill.
    }
  }
}
