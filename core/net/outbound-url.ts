/**
 * The check every outbound request of the fleet passes (webhooks, notifications): http or https
 * only, and no address inside the machine or its networks (loopback, private, link-local,
 * unique-local, multicast, unspecified, and the IPv4-mapped or NAT64 forms of these) unless the
 * config allows it. A fleet that posts to any URL a caller names could otherwise be used to reach
 * internal services (the cloud metadata endpoint at 169.254.169.254, an admin port on localhost).
 *
 * The host name is resolved once, here; every address it resolves to must pass, and the request
 * then connects to the checked address through `lookup` (no second resolution a rebinding DNS
 * server could answer differently).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { BlockList, isIP } from 'node:net';

export interface OutboundPolicy {
  /** Allow every address (a fleet whose receivers live on its own network). Default false. */
  allowPrivateNetworks?: boolean;
  /** Host names or literal addresses allowed even when they resolve to a private address. */
  allowHosts?: readonly string[];
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to its addresses (the system resolver by default; tests pass their own). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface CheckedUrl {
  url: URL;
  /** The host as the request names it (brackets removed from an IPv6 literal). */
  hostname: string;
  /** The address the request must connect to: the one that was checked. */
  address: ResolvedAddress;
  /** For http.request / https.request: answers with the checked address, never resolves again. */
  lookup: LookupFunction;
}

/** Why a URL was refused: `reason` is a short phrase for the caller, never a stack. */
export class OutboundUrlError extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(`outbound URL refused: ${reason}`);
    this.name = 'OutboundUrlError';
    this.reason = reason;
  }
}

export function isOutboundUrlError(error: unknown): error is OutboundUrlError {
  return error instanceof OutboundUrlError;
}

const V4_RANGES: readonly [string, number, string][] = [
  ['0.0.0.0', 8, 'an unspecified address'],
  ['10.0.0.0', 8, 'a private address'],
  ['100.64.0.0', 10, 'a shared (carrier-grade NAT) address'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.0.0', 16, 'a link-local address'],
  ['172.16.0.0', 12, 'a private address'],
  ['192.0.0.0', 24, 'an IETF protocol address'],
  ['192.168.0.0', 16, 'a private address'],
  ['198.18.0.0', 15, 'a benchmarking address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved address'],
];

const V6_RANGES: readonly [string, number, string][] = [
  ['::', 128, 'an unspecified address'],
  ['::1', 128, 'a loopback address'],
  ['fe80::', 10, 'a link-local address'],
  ['fc00::', 7, 'a unique-local address'],
  ['ff00::', 8, 'a multicast address'],
  ['fec0::', 10, 'a site-local address'],
];

/** One BlockList per reason, so a refusal can say what kind of address it was. */
const blocks: { list: BlockList; reason: string }[] = [];
for (const [network, prefix, reason] of V4_RANGES) blocks.push({ list: subnet(network, prefix, 'ipv4'), reason });
for (const [network, prefix, reason] of V6_RANGES) blocks.push({ list: subnet(network, prefix, 'ipv6'), reason });

function subnet(network: string, prefix: number, family: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return list;
}

/** The 8 groups of an IPv6 address as numbers (`::` expanded, a trailing dotted IPv4 converted). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const middle = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((group) => parseInt(group, 16));
}

/** The IPv4 address an IPv6 one carries: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d) or NAT64 (64:ff9b::/96). */
function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  if (g.length !== 8 || g.some((n) => Number.isNaN(n))) return undefined;
  const zeros5 = g.slice(0, 5).every((n) => n === 0);
  const mapped = zeros5 && g[5] === 0xffff;
  const compatible = zeros5 && g[5] === 0 && !(g[6] === 0 && (g[7] === 0 || g[7] === 1));
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((n) => n === 0);
  if (!mapped && !compatible && !nat64) return undefined;
  const high = g[6] ?? 0;
  const low = g[7] ?? 0;
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** Why this literal address may not be reached, or undefined when it is a public one. */
export function blockedReason(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  if (family === 6) {
    const inner = embeddedIpv4(address);
    if (inner !== undefined) return blockedReason(inner);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const block of blocks) if (block.list.check(address, type)) return block.reason;
  return undefined;
}

const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => ({
    address: entry.address,
    family: entry.family === 6 ? 6 : 4,
  }));

function pinnedLookup(address: ResolvedAddress): LookupFunction {
  // Node 20's net.connect asks for every address (`all: true`) when it races families.
  return ((_hostname: string, options: unknown, callback: (...args: unknown[]) => void) => {
    const done = typeof options === 'function' ? (options as typeof callback) : callback;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
    if (all) done(null, [{ address: address.address, family: address.family }]);
    else done(null, address.address, address.family);
  }) as LookupFunction;
}

/**
 * Check a URL for an outbound request; throws OutboundUrlError (with a short reason) when it is
 * not http(s), has credentials in it, or its host is or resolves to an address the policy refuses.
 */
export async function checkOutboundUrl(
  raw: string,
  policy: OutboundPolicy = {},
  resolve: Resolver = systemResolver,
): Promise<CheckedUrl> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundUrlError('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OutboundUrlError(`the scheme ${url.protocol.replace(/:$/, '')} is not allowed (http or https only)`);
  }
  if (url.username !== '' || url.password !== '') throw new OutboundUrlError('credentials in the URL are not allowed');
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (hostname === '') throw new OutboundUrlError('the URL has no host');
  const allowed =
    policy.allowPrivateNetworks === true ||
    (policy.allowHosts ?? []).some((host) => host.toLowerCase().replace(/^\[(.*)\]$/, '$1') === hostname.toLowerCase());

  let addresses: ResolvedAddress[];
  const literal = isIP(hostname);
  if (literal !== 0) addresses = [{ address: hostname, family: literal === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await resolve(hostname);
    } catch {
      throw new OutboundUrlError(`the host ${hostname} does not resolve`);
    }
    if (addresses.length === 0) throw new OutboundUrlError(`the host ${hostname} does not resolve`);
  }
  if (!allowed) {
    for (const entry of addresses) {
      const reason = blockedReason(entry.address);
      if (reason !== undefined) {
        const shown = literal !== 0 ? hostname : `${hostname} (${entry.address})`;
        throw new OutboundUrlError(`${shown} is ${reason}`);
      }
    }
  }
  const address = addresses[0] as ResolvedAddress;
  return { url, hostname, address, lookup: pinnedLookup(address) };
}
