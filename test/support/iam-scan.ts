import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The SDK-command scan shared by test/infra/iam-coverage.test.ts and test/security/iam-two-sided.test.ts: every `new XxxCommand(` reachable from an entry
 * point through local imports, mapped to the IAM action it needs.
 */
const ROOT = resolve(__dirname, '../..');

/** IAM prefixes of the SDK modules. */
const SERVICE_OF_MODULE: Record<string, string> = {
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
  '@aws-sdk/client-rds': 'rds',
  '@aws-sdk/client-route-53': 'route53',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-sts': 'sts',
};

/** Commands whose IAM action is not named after them (lib-dynamodb's document commands, S3 HEAD). */
const ACTION_OF_COMMAND: Record<string, string> = {
  'dynamodb:Get': 'dynamodb:GetItem',
  'dynamodb:Put': 'dynamodb:PutItem',
  'dynamodb:Update': 'dynamodb:UpdateItem',
  'dynamodb:Delete': 'dynamodb:DeleteItem',
  'dynamodb:BatchGet': 'dynamodb:BatchGetItem',
  'dynamodb:BatchWrite': 'dynamodb:BatchWriteItem',
  's3:HeadObject': 's3:GetObject',
  's3:HeadBucket': 's3:ListBucket',
  's3:ListObjectsV2': 's3:ListBucket',
};

/** Actions AWS authorizes without any permission. */
export const NEEDS_NO_PERMISSION = new Set(['sts:GetCallerIdentity']);

interface UsedCommand {
  action: string;
  file: string;
}

/** The relative imports of a source file that stay inside the scanned code (runtime/, cli/). */
function localImports(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/from\s+'(\.[^']+)'/g)) {
    const base = resolve(dirname(file), m[1] as string);
    const found = [`${base}.ts`, join(base, 'index.ts')].find((f) => existsSync(f));
    const rel = found ? relative(ROOT, found) : undefined;
    if (rel && (rel.startsWith('runtime/') || rel.startsWith('cli/'))) out.push(found as string);
  }
  return out;
}

/** Local name -> module of every value imported from an @aws-sdk module. */
function sdkImports(text: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'(@aws-sdk\/[^']+)'/g)) {
    if (m[1]) continue;
    for (const part of (m[2] as string).split(',').map((x) => x.trim())) {
      if (!part || part.startsWith('type ')) continue;
      const [imported, local] = part.split(/\s+as\s+/);
      names.set((local ?? imported) as string, m[3] as string);
    }
  }
  return names;
}

export function commandsIn(file: string, text: string): UsedCommand[] {
  const imports = sdkImports(text);
  const used: UsedCommand[] = [];
  for (const m of text.matchAll(/\bnew\s+([A-Z]\w*Command)\s*\(/g)) {
    const name = m[1] as string;
    const module = imports.get(name);
    if (!module) continue; // not an SDK command (e.g. commander's Command)
    const service = SERVICE_OF_MODULE[module];
    if (!service) throw new Error(`${relative(ROOT, file)}: no IAM prefix known for ${module}`);
    const natural = `${service}:${name.replace(/Command$/, '')}`;
    used.push({ action: ACTION_OF_COMMAND[natural] ?? natural, file: relative(ROOT, file) });
  }
  return used;
}

/** Every source file reachable from `entry` through local imports. */
export function reachable(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [resolve(ROOT, entry)];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...localImports(file, readFileSync(file, 'utf8')));
  }
  return [...seen];
}

export function commandsReachableFrom(entry: string): UsedCommand[] {
  return reachable(entry).flatMap((f) => commandsIn(f, readFileSync(f, 'utf8')));
}

export function sourceFiles(dir: string): string[] {
  return readdirSync(resolve(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => resolve(ROOT, dir, f));
}

const glob = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

export function allows(sts: Array<Record<string, unknown>>, action: string): boolean {
  return sts.some(
    (x) =>
      x.Effect === 'Allow' &&
      [x.Resource].flat().length > 0 &&
      [x.Action].flat().some((a) => glob(String(a)).test(action)),
  );
}
