import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, rmSync, type WriteStream, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { type HostMessage, type HostRequest, hostSocketPath } from './host-socket.js';
import { readLogTail } from './log-tail.js';
import { PaneTerminal } from './pane-terminal.js';
import { encodeInput, readSpawnSpec, type SpawnSpec, workerFiles } from './spawn-spec.js';
import { inputRecord, type InputSource, Transcript, transcriptTail } from './transcript.js';

/** Transcript lines of the run before this one shown when a worker starts again. */
const EARLIER_LINES = 20;

/**
 * `fleet pane <worker>`: the small process in a worker's tmux pane. It owns the agent process and
 * its process group, appends every byte the agent writes to the worker's log, shows a readable
 * transcript in the pane, takes input from the server over a unix socket and from lines typed in
 * the pane, and sends heartbeats. It survives the server: a restarted server reconnects.
 */
export class PaneHost {
  readonly #dir: string;
  readonly #spec: SpawnSpec;
  readonly #files: ReturnType<typeof workerFiles>;
  readonly #clients = new Set<Socket>();
  readonly #terminal: PaneTerminal;
  readonly #transcript = new Transcript();
  #agent: ChildProcess | undefined;
  #output: WriteStream | undefined;
  /** Whether output.log ends with a whole line: the host's own records go only between the agent's lines. */
  #atLineStart = true;
  /** Records waiting for the agent to finish the line it is writing. */
  #pendingRecords: string[] = [];
  #server: Server | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #startedAt = Date.now();
  #exited: Promise<{ code: number | null; signal: string | null }> | undefined;

  constructor(dir: string, terminal: PaneTerminal = new PaneTerminal()) {
    this.#dir = dir;
    this.#spec = readSpawnSpec(dir);
    this.#files = workerFiles(dir);
    this.#terminal = terminal;
  }

  #display(line: string): void {
    this.#terminal.show(line);
  }

  /** Start the agent and the socket; resolves with the agent's exit once everything is flushed. */
  async run(): Promise<{ code: number | null; signal: string | null }> {
    const spec = this.#spec;
    this.#display(
      `\x1b[1m${spec.teamName}/${spec.handle}\x1b[0m \x1b[2m(${spec.adapter}) ${spec.argv[0]} in ${spec.cwd}\x1b[0m`,
    );
    this.#showEarlier();
    const output = this.#logStream(this.#files.output);
    this.#output = output;
    const stderrLog = this.#logStream(spec.format === 'ndjson' ? this.#files.stderr : this.#files.output);
    // detached: the agent leads its own process group, so stopping it ends its children too.
    const agent = spawn(spec.argv[0]!, spec.argv.slice(1), {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.#agent = agent;
    this.#exited = new Promise((resolveExit) => {
      agent.once('exit', (code, signal) => {
        // 'exit' can come before the pipes are read to the end: what the agent wrote last is
        // logged first. A grandchild holding the pipes open cannot keep the host waiting for ever.
        let timer: NodeJS.Timeout | undefined;
        const closed = (stream: NodeJS.ReadableStream & { closed?: boolean }) =>
          new Promise<void>((resolveClose) =>
            stream.closed ? resolveClose() : stream.once('close', () => resolveClose()),
          );
        void Promise.race([
          Promise.all([closed(agent.stdout), closed(agent.stderr)]),
          new Promise<void>((resolveWait) => (timer = setTimeout(resolveWait, 2000))),
        ]).then(() => {
          clearTimeout(timer);
          resolveExit({ code, signal });
        });
      });
      agent.once('error', (error) => {
        this.#display(`\x1b[31mcannot start ${spec.argv[0]}: ${error.message}\x1b[0m`);
        resolveExit({ code: 127, signal: null });
      });
    });
    agent.stdin.on('error', () => {
      // The agent closed its stdin (it is exiting); input is refused from here on.
    });
    this.#pipeLines(
      agent.stdout,
      (chunk) => {
        output.write(chunk);
        if (chunk.length > 0) this.#atLineStart = chunk[chunk.length - 1] === 0x0a;
        if (this.#atLineStart) this.#flushRecords();
      },
      (line) => this.#show(line),
    );
    this.#pipeLines(
      agent.stderr,
      (chunk) => stderrLog.write(chunk),
      (line) => this.#display(`\x1b[33m${line}\x1b[0m`),
    );
    writeFileSync(
      this.#files.host,
      JSON.stringify({ hostPid: process.pid, agentPid: agent.pid, startedAt: this.#startedAt }),
      { mode: 0o600 },
    );
    await this.#listen();
    if (spec.initialPrompt) this.#give('prompt', spec.initialPrompt);
    this.#readPane();
    this.#heartbeat = setInterval(
      () =>
        this.#broadcast({
          type: 'heartbeat',
          agentPid: agent.pid,
          alive: agent.exitCode === null && agent.signalCode === null,
          ts: Date.now(),
        }),
      spec.heartbeatMs,
    );

    const exit = await this.#exited;
    clearInterval(this.#heartbeat);
    // Inputs still waiting for the agent to end its line: it never will, so they follow on a line of their own.
    if (this.#pendingRecords.length > 0) {
      output.write('\n');
      this.#flushRecords();
    }
    // finished() settles on an error too: a log that failed must not keep the host from exiting.
    await Promise.all(
      [output, stderrLog].map(
        (stream) => new Promise<void>((resolveEnd) => finished(stream.end(), () => resolveEnd())),
      ),
    );
    writeFileSync(this.#files.exit, JSON.stringify({ ...exit, at: Date.now() }), { mode: 0o600 });
    this.#broadcast({ type: 'exit', code: exit.code, signal: exit.signal });
    this.#display(`\x1b[2magent exited (${exit.signal ?? `code ${exit.code}`})\x1b[0m`);
    await this.#close();
    return exit;
  }

  /**
   * An append stream for a log. A write that fails (a full disk, a removed dir) is shown once in the
   * pane; unheard, its error would end the host and with it the agent.
   */
  #logStream(path: string): WriteStream {
    const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
    stream.once('error', (error) => this.#display(`\x1b[31mcannot write ${path}: ${error.message}\x1b[0m`));
    stream.on('error', () => undefined);
    return stream;
  }

  #show(line: string): void {
    const lines = this.#spec.format === 'ndjson' ? this.#transcript.render(line) : [line];
    for (const out of lines) this.#display(out);
  }

  /**
   * A worker started again (its agent restarted, or spawned anew on the same dir) finds the log of
   * the runs before: the pane shows the end of it, so it does not start empty.
   */
  #showEarlier(): void {
    const tail = readLogTail(this.#files.output);
    this.#atLineStart = tail.complete;
    const earlier = this.#spec.format === 'ndjson' ? transcriptTail(tail.lines, EARLIER_LINES) : tail.lines;
    const shown = earlier.slice(-EARLIER_LINES);
    if (shown.length === 0) return;
    this.#display(`\x1b[2m── earlier in this worker's log (last ${shown.length} lines) ──\x1b[0m`);
    for (const line of shown) this.#display(line);
    this.#display('\x1b[2m── this run ──\x1b[0m');
  }

  /**
   * Give the agent an input and show it in the transcript, once. A stream-json agent's log gets a
   * record of it (a line of a type log readers skip), so \`fleet logs\` and a later restart show it too.
   */
  #give(source: InputSource, text: string): boolean {
    if (!this.#write(text)) return false;
    const record = inputRecord(source, text);
    if (this.#spec.format === 'ndjson' && this.#output) {
      this.#pendingRecords.push(record);
      if (this.#atLineStart) this.#flushRecords();
    }
    // The same renderer as the log's: a text agent's input is shown the same way, unlogged.
    for (const line of new Transcript().render(record)) this.#display(line);
    return true;
  }

  #flushRecords(): void {
    for (const record of this.#pendingRecords.splice(0)) this.#output?.write(record + '\n');
  }

  /** Copy raw bytes to the log as they come; split lines only for the display. */
  #pipeLines(stream: NodeJS.ReadableStream, raw: (chunk: Buffer) => void, line: (text: string) => void): void {
    let pending = '';
    // A multi-byte character split across two chunks is decoded whole, not as two U+FFFD.
    const decoder = new StringDecoder('utf8');
    // A pipe error ends the stream ('close' follows, which the exit waits for); unheard, it would end the host.
    stream.on('error', () => undefined);
    stream.on('data', (chunk: Buffer) => {
      raw(chunk);
      pending += decoder.write(chunk);
      let newline: number;
      while ((newline = pending.indexOf('\n')) !== -1) {
        line(pending.slice(0, newline).replace(/\r$/, ''));
        pending = pending.slice(newline + 1);
      }
      if (pending.length > 64 * 1024) {
        line(pending.slice(0, 200) + '…');
        pending = '';
      }
    });
    stream.on('end', () => {
      pending += decoder.end();
      if (pending) line(pending);
    });
  }

  #write(text: string): boolean {
    const stdin = this.#agent?.stdin;
    if (!stdin || stdin.destroyed || !stdin.writable) return false;
    stdin.write(encodeInput(this.#spec.format, text));
    return true;
  }

  /** Lines a person types in the pane go to the agent like the server's input. */
  #readPane(): void {
    this.#terminal.readLines((text) => {
      if (!this.#give('pane', text)) this.#display('\x1b[31mthe agent is not accepting input\x1b[0m');
    });
  }

  async #listen(): Promise<void> {
    const path = hostSocketPath(this.#dir);
    rmSync(path, { force: true });
    this.#server = createServer((socket) => this.#accept(socket));
    await new Promise<void>((resolveListen, reject) => {
      this.#server!.once('error', reject);
      this.#server!.listen(path, () => resolveListen());
    });
    // A failed accept (too many open files) costs one connection, which the server retries; not the host.
    this.#server.on('error', (error) => this.#display(`\x1b[31mhost socket: ${error.message}\x1b[0m`));
  }

  #accept(socket: Socket): void {
    this.#clients.add(socket);
    socket.on('close', () => this.#clients.delete(socket));
    // A server killed mid-write resets the connection (ECONNRESET, EPIPE): that client is gone, the host
    // and its agent go on. readline re-emits the socket's errors, so its interface needs a listener too.
    socket.on('error', () => this.#clients.delete(socket));
    this.#send(socket, { type: 'hello', hostPid: process.pid, agentPid: this.#agent?.pid, startedAt: this.#startedAt });
    const lines = createInterface({ input: socket });
    lines.on('error', () => undefined);
    lines.on('line', (line) => {
      let request: HostRequest;
      try {
        request = JSON.parse(line) as HostRequest;
      } catch {
        return;
      }
      this.#handle(socket, request);
    });
  }

  #handle(socket: Socket, request: HostRequest): void {
    switch (request.type) {
      case 'ping':
        this.#send(socket, { type: 'pong' });
        return;
      case 'input': {
        if (typeof request.text !== 'string') return;
        const ok = this.#give('fleet', request.text);
        this.#send(
          socket,
          ok
            ? { type: 'ack', id: request.id, ok }
            : { type: 'ack', id: request.id, ok, error: 'the agent is not accepting input' },
        );
        return;
      }
      case 'stop':
        void this.stopAgent(request.graceMs ?? 3000);
        return;
    }
  }

  /** End the agent's whole process group: SIGTERM, then SIGKILL after the grace period. */
  async stopAgent(graceMs: number): Promise<void> {
    const agent = this.#agent;
    if (!agent?.pid || agent.exitCode !== null || agent.signalCode !== null) return;
    const group = -agent.pid;
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(group, name);
      } catch {
        // The group is already gone.
      }
    };
    agent.stdin?.end();
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
    // Children that outlived the agent in its group are ended too.
    signal('SIGKILL');
  }

  #send(socket: Socket, message: HostMessage): void {
    // Not to a client that has ended its side (a write after end is an error); a failed write is
    // heard by the socket's 'error' listener.
    if (!socket.destroyed && socket.writable) socket.write(JSON.stringify(message) + '\n');
  }

  #broadcast(message: HostMessage): void {
    for (const socket of this.#clients) this.#send(socket, message);
  }

  async #close(): Promise<void> {
    // Reading the pane's tty would keep the process (and so the window) alive after the agent is gone.
    this.#terminal.close();
    for (const socket of this.#clients) socket.end();
    await new Promise<void>((resolveClose) =>
      this.#server ? this.#server.close(() => resolveClose()) : resolveClose(),
    );
    rmSync(hostSocketPath(this.#dir), { force: true });
  }
}
