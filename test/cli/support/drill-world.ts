import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { HttpClient, HttpRequest, HttpResponse } from '../../../cli/lib/http';
import { receiptKey } from '../../../runtime/payment-api/resource';
import type { Clock } from '../../../runtime/shared/clock';
import { CANARY_MERCHANT } from '../../../cli/lib/drill';
import { idempotencyRecordKey } from '../../../runtime/payment-api/resource';

/**
 * A simulated deployment for drill tests: two regions behind a public name, a writer, replication with
 * per-store delays, and DNS that follows a failover after a delay. Everything answers from the injected
 * (virtual) clock, so a drill run against it produces exact, predictable numbers.
 *
 * The AWS side (DynamoDB GetItem, S3 HeadObject) is aws-sdk-client-mock doubles answering from this model:
 * replication between regions and DNS failover routing cannot be emulated locally.
 */
export const PRIMARY = 'us-east-1';
export const SECONDARY = 'us-east-2';

export interface WorldOptions {
  zone: string;
  idempotencyTable: string;
  secondaryBucket: string;
  /** Replication delay to the secondary region per store, by canary index. */
  lagMs: { aurora: (i: number) => number; dynamodb: (i: number) => number; s3: (i: number) => number };
  /** Time from a routing change (the promotion done) until the public name follows. */
  dnsDelayMs: number;
  /** When set, the writer is read from here (e.g. a fake global database) instead of `promote` calls. */
  writerSource?: () => string;
  /** Called for each new payment (e.g. to write its idempotency record somewhere real). */
  onPayment?: (p: { id: string; key: string; region: string }) => Promise<void>;
}

interface Payment {
  index: number;
  id: string;
  key: string;
  createdAt: string;
  committedAt: number;
  region: string;
}

export class DrillWorld {
  writer = PRIMARY;
  /** Public name routing: switches to `to` at `at`. */
  private routing: Array<{ at: number; to: string }> = [];
  readonly payments: Payment[] = [];
  readonly requests: Array<{ method: string; url: string; signedFor?: string }> = [];
  readonly ddb: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly http: HttpClient;

  constructor(
    private readonly clock: Clock,
    private readonly o: WorldOptions,
  ) {
    const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
    this.ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: SECONDARY, credentials: creds }));
    mockClient(this.ddb)
      .on(GetCommand)
      .callsFake(async (input: { TableName?: string; Key?: { pk?: string } }) => {
        // Idempotency records are keyed by merchant and key (runtime/payment-api/resource.ts).
        const p = this.payments.find((x) => idempotencyRecordKey(CANARY_MERCHANT, x.key) === input.Key?.pk);
        if (input.TableName !== o.idempotencyTable || !p || !this.replicated(p, 'dynamodb')) return {};
        return {
          Item: { pk: idempotencyRecordKey(CANARY_MERCHANT, p.key), paymentId: p.id, region: p.region },
        };
      });
    this.s3 = new S3Client({ region: SECONDARY, credentials: creds });
    mockClient(this.s3)
      .on(HeadObjectCommand)
      .callsFake(async (input: { Bucket?: string; Key?: string }) => {
        const p = this.payments.find(
          (x) => receiptKey({ id: x.id, createdAt: new Date(x.createdAt) }) === input.Key,
        );
        if (input.Bucket !== o.secondaryBucket || !p || !this.replicated(p, 's3')) {
          throw Object.assign(new Error('Not Found'), {
            name: 'NotFound',
            $metadata: { httpStatusCode: 404 },
          });
        }
        return { ContentLength: 300 };
      });
    this.http = { request: (req) => this.handle(req) };
  }

  /** The public name follows a change after the DNS delay. */
  routeAfterDelay(to: string): void {
    this.routing.push({ at: this.clock.now() + this.o.dnsDelayMs, to });
  }

  /** Moves the writer (what a promotion does) and lets DNS follow when health checks see it. */
  promote(region: string): void {
    this.writer = region;
    this.routeAfterDelay(region);
  }

  servedBy(now = this.clock.now()): string {
    let region = PRIMARY;
    for (const r of this.routing) if (now >= r.at) region = r.to;
    return region;
  }

  private replicated(p: Payment, store: 'aurora' | 'dynamodb' | 's3'): boolean {
    return this.clock.now() >= p.committedAt + this.o.lagMs[store](p.index);
  }

  private json(status: number, body: unknown): HttpResponse {
    return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  }

  /** Region of the SigV4 credential scope, if the request is signed. */
  private signedFor(req: HttpRequest): string | undefined {
    const auth = req.headers?.authorization;
    return auth
      ? /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\/execute-api\/aws4_request/.exec(auth)?.[1]
      : undefined;
  }

  /** Follows an external writer: a change is routed to after the DNS delay, from when it is first seen. */
  private sync(): void {
    const source = this.o.writerSource?.();
    if (source !== undefined && source !== this.writer) this.promote(source);
  }

  private async handle(req: HttpRequest): Promise<HttpResponse> {
    this.sync();
    const url = new URL(req.url);
    const signedFor = this.signedFor(req);
    this.requests.push({ method: req.method, url: req.url, ...(signedFor ? { signedFor } : {}) });
    const publicHost = `payments.${this.o.zone}`;
    const region =
      url.hostname === publicHost
        ? this.servedBy()
        : url.hostname === `payments-use1.${this.o.zone}`
          ? PRIMARY
          : url.hostname === `payments-use2.${this.o.zone}`
            ? SECONDARY
            : undefined;
    if (!region)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${url.hostname}`), { name: 'HttpTransportError' });
    if (url.pathname === '/health') {
      const ok = this.writer === region;
      return this.json(ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', region });
    }
    // IAM authorization: the signature must be for the region of the API that answers.
    if (signedFor !== region)
      return this.json(403, { message: 'Credential should be scoped to a valid region' });
    if (req.method === 'POST' && url.pathname === '/payments') {
      if (this.writer !== region) return this.json(503, { error: { code: 'REGION_READ_ONLY' }, region });
      const key = req.headers?.['idempotency-key'] ?? '';
      const existing = this.payments.find((p) => p.key === key);
      if (existing)
        return this.json(201, { id: existing.id, createdAt: existing.createdAt, region: existing.region });
      const now = this.clock.now();
      const p: Payment = {
        index: this.payments.length,
        id: `pay_${String(this.payments.length).padStart(26, '0')}`,
        key,
        createdAt: new Date(now).toISOString(),
        committedAt: now,
        region,
      };
      this.payments.push(p);
      await this.o.onPayment?.({ id: p.id, key: p.key, region: p.region });
      return this.json(201, { id: p.id, status: 'accepted', createdAt: p.createdAt, region });
    }
    const m = /^\/payments\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && m) {
      const p = this.payments.find((x) => x.id === decodeURIComponent(m[1] as string));
      if (!p || (region === SECONDARY && p.region === PRIMARY && !this.replicated(p, 'aurora'))) {
        return this.json(404, { error: { code: 'PAYMENT_NOT_FOUND' }, region });
      }
      return this.json(200, { id: p.id, createdAt: p.createdAt, region: p.region });
    }
    return this.json(404, { error: { code: 'ROUTE_NOT_FOUND' } });
  }
}
