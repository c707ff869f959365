import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import {
  checkOutboundUrl,
  isOutboundUrlError,
  type Logger,
  type OutboundPolicy,
  type Resolver,
} from '../../../core/index.js';
import type { Clock } from '../clock.js';
import type { JobQueue, JobResult } from '../queue/index.js';
import { signBody } from './signature.js';

export interface OutboundOptions extends OutboundPolicy {
  /** Signing secret (else env FLEET_WEBHOOK_SECRET, read by the plugin). */
  secret?: string;
  /** How long one request may take (default 10 s). */
  timeoutMs?: number;
}

export interface SendInput {
  url: string;
  body: unknown;
  /** The same on every retry of one job, so a receiver can drop a repeat. */
  deliveryId: string;
  /** Webhooks must be signed (refused without a secret); notifications to chat services need not. */
  requireSignature: boolean;
}

/** The queue's result of one send: delivered with the status as evidence, failed (retried) or refused. */
export type SendResult = JobResult;

/** The payload of a 'webhook' job. */
export interface WebhookJobPayload {
  url: string;
  body?: unknown;
}

const MAX_BODY = 1_000_000;

/**
 * Posts JSON to a checked URL: http(s) only, no private address unless allowed (core/net), the
 * connection made to the address that was checked, redirects not followed, signed with HMAC-SHA256
 * when a secret is set. 2xx is delivered (the status is the evidence), anything else fails and the
 * queue retries it; a refused URL is refused, never retried.
 */
export class OutboundSender {
  private readonly options: OutboundOptions;

  constructor(
    private readonly deps: {
      options: OutboundOptions;
      clock: Clock;
      log: Logger;
      /** Host name resolution (tests pass their own; default the system's). */
      resolve?: Resolver;
    },
  ) {
    this.options = deps.options;
  }

  get signing(): boolean {
    return Boolean(this.options.secret);
  }

  /** Throws OutboundUrlError with the reason when the URL may not be reached. */
  async check(url: string): Promise<void> {
    await checkOutboundUrl(url, this.options, this.deps.resolve);
  }

  async send(input: SendInput): Promise<SendResult> {
    const body = JSON.stringify(input.body ?? {});
    if (body.length > MAX_BODY) return { outcome: 'refused', reason: `the body is over ${MAX_BODY} bytes` };
    const secret = this.options.secret;
    if (input.requireSignature && !secret)
      return {
        outcome: 'refused',
        reason: 'no signing secret: set FLEET_WEBHOOK_SECRET or plugins.scheduler.outbound.secret',
      };
    let checked;
    try {
      checked = await checkOutboundUrl(input.url, this.options, this.deps.resolve);
    } catch (error) {
      if (isOutboundUrlError(error)) return { outcome: 'refused', reason: error.message };
      throw error;
    }
    const timestamp = Math.floor(this.deps.clock.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'claude-fleet-scheduler',
      'x-fleet-delivery': input.deliveryId,
      'x-fleet-timestamp': String(timestamp),
    };
    if (secret) headers['x-fleet-signature-256'] = signBody(secret, timestamp, body);
    const started = Date.now();
    const request = checked.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          checked.url,
          {
            method: 'POST',
            headers,
            lookup: checked.lookup,
            timeout: timeoutMs,
            ...(isIP(checked.hostname) === 0 ? { servername: checked.hostname } : {}),
          },
          (res: IncomingMessage) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on('error', reject);
        req.end(body);
      });
      const evidence = { status, host: checked.url.host, deliveryId: input.deliveryId, ms: Date.now() - started };
      if (status >= 200 && status < 300) return { outcome: 'delivered', evidence };
      if (status >= 300 && status < 400)
        return { outcome: 'failed', reason: `HTTP ${status}: redirects are not followed` };
      return { outcome: 'failed', reason: `HTTP ${status}` };
    } catch (error) {
      return { outcome: 'failed', reason: (error as Error).message };
    }
  }

  /** Registers the queue's 'webhook' handler (signed; a job's delivery id is stable across retries). */
  register(queue: JobQueue): () => void {
    return queue.registerHandler('webhook', async (job) => {
      const payload = job.payload as Partial<WebhookJobPayload> | undefined;
      if (typeof payload?.url !== 'string') return { outcome: 'refused', reason: 'the job has no url' };
      return this.send({
        url: payload.url,
        body: payload.body ?? {},
        deliveryId: `fleet-job-${job.id}`,
        requireSignature: true,
      });
    });
  }
}
