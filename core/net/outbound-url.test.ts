import { createServer } from 'node:http';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { blockedReason, checkOutboundUrl, isOutboundUrlError, type Resolver } from './outbound-url.js';

async function refusal(
  url: string,
  ...rest: Parameters<typeof checkOutboundUrl> extends [string, ...infer R] ? R : never
) {
  try {
    await checkOutboundUrl(url, ...rest);
  } catch (error) {
    if (isOutboundUrlError(error)) return error.reason;
    throw error;
  }
  return undefined;
}

const fixed =
  (table: Record<string, string[]>): Resolver =>
  async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw new Error('ENOTFOUND');
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

t.test('literal addresses of the machine and its networks are refused, public ones pass', async (t) => {
  const refused: Record<string, RegExp> = {
    '127.0.0.1': /loopback/,
    '127.8.9.10': /loopback/,
    '::1': /loopback/,
    '::ffff:127.0.0.1': /loopback/,
    '::ffff:7f00:1': /loopback/,
    '::ffff:10.1.2.3': /private/,
    '64:ff9b::a9fe:a9fe': /link-local/,
    '10.0.0.1': /private/,
    '172.16.0.1': /private/,
    '172.31.255.255': /private/,
    '192.168.1.1': /private/,
    '100.64.0.1': /shared/,
    '169.254.169.254': /link-local/,
    'fe80::1': /link-local/,
    'fc00::1': /unique-local/,
    'fd12:3456::1': /unique-local/,
    '224.0.0.1': /multicast/,
    'ff02::1': /multicast/,
    '0.0.0.0': /unspecified/,
    '::': /unspecified/,
  };
  for (const [address, reason] of Object.entries(refused)) t.match(blockedReason(address), reason, address);
  for (const address of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '1.1.1.1'])
    t.equal(blockedReason(address), undefined, `${address} is public`);
});

t.test('URLs: schemes, loopback in every spelling, the metadata address, names resolving inside', async (t) => {
  const cases: [string, RegExp][] = [
    ['file:///etc/passwd', /scheme file is not allowed/],
    ['gopher://example.com/', /scheme gopher/],
    ['ftp://example.com/', /scheme ftp/],
    ['javascript:alert(1)', /scheme javascript/],
    ['not a url', /not a valid URL/],
    ['http://127.0.0.1:3847/auth', /loopback/],
    ['http://[::1]/', /loopback/],
    ['http://[::ffff:127.0.0.1]/', /loopback/],
    ['http://2130706433/', /loopback/],
    ['http://0x7f.1/', /loopback/],
    ['http://169.254.169.254/latest/meta-data/', /link-local/],
    ['http://user:pw@example.com/', /credentials/],
  ];
  for (const [url, reason] of cases) t.match(await refusal(url), reason, url);
  // A real name, through the system resolver: localhost resolves to loopback.
  t.match(await refusal('http://localhost:9/'), /localhost \((127\.0\.0\.1|::1)\) is a loopback address/);
  const resolver = fixed({ 'inside.example': ['203.0.113.9', '10.0.0.5'], 'nowhere.example': [] });
  t.match(await refusal('https://inside.example/', {}, resolver), /10\.0\.0\.5\) is a private address/, 'any address');
  t.match(await refusal('https://nowhere.example/', {}, resolver), /does not resolve/);
  t.match(await refusal('https://missing.example/', {}, resolver), /does not resolve/);
});

t.test('config: allowPrivateNetworks, or an allow list of hosts', async (t) => {
  t.equal(await refusal('http://127.0.0.1:9/', { allowPrivateNetworks: true }), undefined);
  t.equal(await refusal('http://127.0.0.1:9/', { allowHosts: ['127.0.0.1'] }), undefined);
  t.equal(await refusal('http://[::1]:9/', { allowHosts: ['[::1]'] }), undefined);
  t.match(await refusal('http://127.0.0.2:9/', { allowHosts: ['127.0.0.1'] }), /loopback/, 'only the listed host');
  t.match(await refusal('file:///x', { allowPrivateNetworks: true }), /scheme/, 'the scheme rule always holds');
});

t.test('the request connects to the checked address: the name is not resolved again', async (t) => {
  let calls = 0;
  const rebinding: Resolver = async () => {
    calls++;
    // First answer: loopback (allowed by the list); any later answer would point elsewhere.
    return [{ address: calls === 1 ? '127.0.0.1' : '203.0.113.66', family: 4 }];
  };
  const server = createServer((req, res) => res.end(`hello ${req.headers.host}`));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.teardown(() => new Promise<void>((done) => server.close(() => done())));
  const { port } = server.address() as AddressInfo;
  const checked = await checkOutboundUrl(
    `http://receiver.example:${port}/`,
    { allowHosts: ['receiver.example'] },
    rebinding,
  );
  t.same(checked.address, { address: '127.0.0.1', family: 4 });
  const body = await new Promise<string>((done, fail) => {
    const req = request(checked.url, { lookup: checked.lookup }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => done(text));
    });
    req.on('error', fail);
    req.end();
  });
  t.equal(body, `hello receiver.example:${port}`, 'reached the checked address, Host header kept');
  t.equal(calls, 1, 'resolved once');
});
