import t from 'tap';
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { TestLike } from '../../test/kit/index.js';

// The hook process on its own against a server that misbehaves in one way each: every answer that
// is not the fleet's clear `allow` must come out `deny` (or, for `none`, no decision at all).
const HOOK = fileURLToPath(new URL('./hook/pre-tool-use.mjs', import.meta.url));
const CALL = JSON.stringify({ tool_name: 'Bash', tool_input: { command: 'ls' }, cwd: '/tmp', session_id: 's' });

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(t: TestLike, handler: Handler, host = '127.0.0.1'): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer(handler);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

async function runHook(
  url: string,
  env: Record<string, string> = {},
): Promise<{ decision?: string; reason?: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [HOOK, '--approval-timeout-seconds=2'], {
    env: {
      PATH: process.env.PATH ?? '',
      FLEET_URL: url,
      FLEET_TOKEN: 'tok',
      FLEET_POLICY_CHECK_TIMEOUT_MS: '1500',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stdin.end(CALL);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) return { decision: 'deny', reason: `exit ${code}`, ms: Date.now() - started };
  if (out.trim() === '') return { ms: Date.now() - started };
  const parsed = JSON.parse(out) as {
    hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string };
  };
  return {
    decision: parsed.hookSpecificOutput.permissionDecision,
    reason: parsed.hookSpecificOutput.permissionDecisionReason,
    ms: Date.now() - started,
  };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

t.test('the fleet clear allow is allowed, behind a path prefix and on IPv6 too', async (t) => {
  const plain = await serve(t, (req, res) =>
    req.url === '/policies/check' ? json(res, 200, { decision: 'allow' }) : json(res, 404, {}),
  );
  t.equal((await runHook(plain)).decision, 'allow');
  const prefixed = await serve(t, (req, res) =>
    req.url === '/fleet/api/policies/check' ? json(res, 200, { decision: 'allow' }) : json(res, 404, {}),
  );
  t.equal((await runHook(`${prefixed}/fleet/api`)).decision, 'allow', 'FLEET_URL with a path');
  t.equal((await runHook(`${prefixed}/fleet/api/`)).decision, 'allow', 'and a trailing slash');
  t.equal((await runHook(`${prefixed}/fleet`)).decision, 'deny', 'a wrong prefix is a 404: denied');
  let v6: string | undefined;
  try {
    v6 = await serve(t, (_req, res) => json(res, 200, { decision: 'allow' }), '::1');
  } catch {
    v6 = undefined;
  }
  if (v6) t.equal((await runHook(v6)).decision, 'allow', 'IPv6');
});

t.test('answers that are not a clear allow deny the call', async (t) => {
  const cases: [string, Handler][] = [
    [
      'a redirect to an allowing path',
      (req, res) => {
        if (req.url === '/elsewhere') return json(res, 200, { decision: 'allow' });
        res.writeHead(307, { location: '/elsewhere' });
        res.end(JSON.stringify({ decision: 'allow' }));
      },
    ],
    [
      'a 301 with an allow body',
      (_req, res) => {
        res.writeHead(301, { location: '/x', 'content-type': 'application/json' });
        res.end(JSON.stringify({ decision: 'allow' }));
      },
    ],
    ['a 500', (_req, res) => json(res, 500, { decision: 'allow' })],
    [
      'a 204',
      (_req, res) => {
        res.writeHead(204);
        res.end();
      },
    ],
    [
      'not JSON',
      (_req, res) => {
        res.writeHead(200);
        res.end('allow');
      },
    ],
    ['a JSON string', (_req, res) => json(res, 200, 'allow')],
    ['a JSON list', (_req, res) => json(res, 200, [{ decision: 'allow' }])],
    ['ALLOW in capitals', (_req, res) => json(res, 200, { decision: 'ALLOW' })],
    ['a decision that is not a string', (_req, res) => json(res, 200, { decision: ['allow'] })],
    ['ask without an approval id', (_req, res) => json(res, 200, { decision: 'ask' })],
    [
      'a chunked allow cut short',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        res.write('{"decision":"allow"}');
        setTimeout(() => res.socket?.destroy(), 50);
      },
    ],
    [
      'a content-length allow cut short',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"decision":"allow"}');
        setTimeout(() => res.socket?.destroy(), 50);
      },
    ],
    [
      'a slow drip that never ends',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"decision":"allow"');
        const timer = setInterval(() => res.write(' '), 100);
        res.on('close', () => clearInterval(timer));
      },
    ],
    ['no answer at all', () => undefined],
    ['the connection dropped', (req) => req.socket.destroy()],
    [
      'an ask whose wait fails',
      (req, res) =>
        req.url === '/policies/check'
          ? json(res, 200, { decision: 'ask', approvalId: 'a1', expiresAt: new Date(Date.now() + 1000).toISOString() })
          : json(res, 500, {}),
    ],
    [
      'an ask whose wait says used',
      (req, res) =>
        req.url === '/policies/check'
          ? json(res, 200, { decision: 'ask', approvalId: 'a1' })
          : json(res, 200, { status: 'used', decision: 'deny' }),
    ],
    [
      'an ask whose wait answers an unknown status',
      (req, res) =>
        req.url === '/policies/check'
          ? json(res, 200, { decision: 'ask', approvalId: 'a1' })
          : json(res, 200, { status: 'weird' }),
    ],
  ];
  for (const [name, handler] of cases) {
    const url = await serve(t, handler);
    const result = await runHook(url);
    t.equal(result.decision, 'deny', `${name} (${result.reason ?? 'no output'})`);
  }
  t.equal((await runHook('http://127.0.0.1:1')).decision, 'deny', 'nothing listening');
  t.equal((await runHook('ftp://127.0.0.1/')).decision, 'deny', 'not http');
  t.equal((await runHook('')).decision, 'deny', 'no FLEET_URL');
});

t.test('an ask that is never decided is denied by the hook at its expiry', async (t) => {
  const url = await serve(t, (req, res) =>
    req.url === '/policies/check'
      ? json(res, 200, { decision: 'ask', approvalId: 'a1', expiresAt: new Date(Date.now() - 6000).toISOString() })
      : json(res, 200, { status: 'pending' }),
  );
  t.equal((await runHook(url)).decision, 'deny');
});
