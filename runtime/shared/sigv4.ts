import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * SigV4 signing of HTTPS requests to AWS APIs that have no SDK client here: API Gateway routes with IAM
 * authorization (service `execute-api`; drctl's canaries, the tests and the benchmark against the local
 * server) and JSON APIs signed by hand. The signing region must be the region of the endpoint that answers.
 */
type SourceData = string | ArrayBuffer | ArrayBufferView;

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The parts of a request the signature covers; the signed copy adds `authorization`, `x-amz-date`, `host`. */
export interface SignableRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

const bytes = (data: SourceData): string | Buffer =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** SHA-256 / HMAC-SHA-256 from node:crypto, in the shape the signer expects. */
class NodeSha256 {
  private hash: Hash | Hmac;
  private readonly secret?: string | Buffer;

  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytes(secret);
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }

  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }
}

export type RequestSigner = <R extends SignableRequest>(
  req: R,
  region: string,
) => Promise<R & { headers: Record<string, string> }>;

export function sigV4Signer(
  credentials: () => Promise<SigningCredentials>,
  now: () => number = Date.now,
  service = 'execute-api',
): RequestSigner {
  return async (req, region) => {
    const url = new URL(req.url);
    const signer = new SignatureV4({ credentials, region, service, sha256: NodeSha256, uriEscapePath: true });
    // Repeated keys (`a=1&a=2`) are all signed: the canonical query lists every value.
    const query: Record<string, string | string[]> = {};
    url.searchParams.forEach((value, key) => {
      const prior = query[key];
      query[key] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
    });
    const signed = await signer.sign(
      {
        method: req.method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query,
        headers: { ...req.headers, host: url.host },
        ...(req.body !== undefined ? { body: req.body } : {}),
      },
      { signingDate: new Date(now()) },
    );
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) headers[k] = String(v);
    return { ...req, headers };
  };
}
