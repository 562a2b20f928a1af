/**
 * Comparable forms of IAM statements for the wildcard allow-list (iam-wildcard-allowlist.json): Terraform
 * references become `${ref}` (their addresses carry construct hashes), Action, Resource and principal lists
 * become sorted arrays, and keys are sorted, so two statements compare equal exactly when they grant the same.
 */
type Json = unknown;

const list = (x: unknown): unknown[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

function canonical(v: Json): Json {
  if (typeof v === 'string') return v.replace(/\$\{[^}]*\}/g, '${ref}');
  if (Array.isArray(v))
    return v.map(canonical).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => {
          const x = (v as Record<string, Json>)[k];
          // Single values and one-element lists mean the same in IAM: always a list.
          return [
            k,
            canonical(
              ['Action', 'NotAction', 'Resource', 'NotResource', 'AWS', 'Service'].includes(k) ? list(x) : x,
            ),
          ];
        }),
    );
  return v;
}

export const normalizeStatement = (st: Record<string, unknown>): Record<string, unknown> =>
  canonical(st) as Record<string, unknown>;

/** Allows Action `*` or `service:*`, Resource `*`, or Principal `*`. */
export function isWildcard(st: Record<string, unknown>): boolean {
  if (st.Effect !== 'Allow') return false;
  const wildAction = list(st.Action).some(
    (a) => a === '*' || (typeof a === 'string' && /^[\w-]+:\*$/.test(a)),
  );
  const wildResource = list(st.Resource).includes('*');
  const principal = st.Principal as { AWS?: unknown } | string | undefined;
  const wildPrincipal =
    principal === '*' || list(typeof principal === 'object' ? principal.AWS : undefined).includes('*');
  return wildAction || wildResource || wildPrincipal;
}
