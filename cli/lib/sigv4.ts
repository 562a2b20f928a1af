import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentials } from './aws';
import type { HttpRequest } from './http';

/**
 * SigV4 signing of API Gateway requests (service `execute-api`, IAM authorization) with the caller's
 * credentials. The signing region must be the region of the API that answers: drctl signs requests to a
 * regional name with that region, and requests to the public name with the region expected to serve it.
 */
type SourceData = string | ArrayBuffer | ArrayBufferView;

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

export type RequestSigner = (req: HttpRequest, region: string) => Promise<HttpRequest>;

export function sigV4Signer(
  credentials: () => Promise<AwsCredentials>,
  now: () => number = Date.now,
  service = 'execute-api',
): RequestSigner {
  return async (req, region) => {
    const url = new URL(req.url);
    const signer = new SignatureV4({
      credentials,
      region,
      service,
      sha256: NodeSha256,
      uriEscapePath: true,
    });
    const query: Record<string, string> = {};
    url.searchParams.forEach((value, key) => {
      query[key] = value;
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
