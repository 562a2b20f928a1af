/** Minimal typed IAM policy documents, rendered with JSON.stringify (tokens stay Terraform interpolations). */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | { AWS?: string | string[]; Service?: string | string[]; Federated?: string };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export function policy(...statements: PolicyStatement[]): string {
  const doc: PolicyDocument = { Version: '2012-10-17', Statement: statements };
  return JSON.stringify(doc);
}

export function assumeRolePolicy(service: string, conditions?: PolicyStatement['Condition']): string {
  return policy({
    Effect: 'Allow',
    Principal: { Service: service },
    Action: 'sts:AssumeRole',
    ...(conditions ? { Condition: conditions } : {}),
  });
}

/** Denies any request to a bucket that does not use TLS 1.2 or newer. */
export function tlsOnlyBucketStatements(bucketArn: string): PolicyStatement[] {
  return [
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    {
      Sid: 'DenyOutdatedTls',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
    },
  ];
}

/**
 * Use of a customer-managed key only through the named AWS services of one region (`kms:ViaService`): the key
 * policies delegate to IAM under the same condition, so a grant never works outside those services.
 */
export function keyUseThrough(
  sid: string,
  keyArn: string,
  actions: string | string[],
  services: string[],
  region: string,
): PolicyStatement {
  const via = services.map((s) => `${s}.${region}.amazonaws.com`);
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: actions,
    Resource: keyArn,
    Condition: { StringEquals: { 'kms:ViaService': via.length === 1 ? (via[0] as string) : via } },
  };
}
