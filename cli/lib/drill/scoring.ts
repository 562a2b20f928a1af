import {
  type CanaryRecord,
  type DrillMethod,
  type DrillReport,
  type DrillTargets,
  STORES,
  type TargetResult,
} from './types';

/**
 * The drill's verdict from what it observed: a pure function of the canaries, the measured RTO and the
 * targets, in the style of runtime/failover/decision.ts.
 *
 * - Observed RPO of a store = the largest lag (first sighting in the secondary region - send time) over all
 *   canaries, and only when every canary was seen there; otherwise unknown (null), which fails its target.
 * - Targets: each store's RPO and the RTO against the requirement; the RTO and the ledger (Aurora) RPO also
 *   against the stricter design targets. A target with no observation fails.
 * - Passed: no errors and every requirement target met. Strictly passed: every target met.
 */
export function observedRpo(canaries: readonly CanaryRecord[]): DrillReport['rpo'] {
  const rpo = {} as DrillReport['rpo'];
  for (const store of STORES) {
    const visible = canaries.map((c) => c.visibility[store].lagMs).filter((l): l is number => l !== null);
    rpo[store] = {
      observedMs: canaries.length > 0 && visible.length === canaries.length ? Math.max(...visible) : null,
      visible: visible.length,
      total: canaries.length,
    };
  }
  return rpo;
}

function target(
  id: string,
  description: string,
  observedMs: number | null,
  limitMs: number,
  strict: boolean,
): TargetResult {
  return { id, description, observedMs, limitMs, pass: observedMs !== null && observedMs <= limitMs, strict };
}

export function scoreTargets(rpo: DrillReport['rpo'], rtoMs: number | null, t: DrillTargets): TargetResult[] {
  return [
    ...STORES.map((store) =>
      target(
        `rpo-${store}`,
        `${store} RPO <= ${t.rpoMs / 60_000} min`,
        rpo[store].observedMs,
        t.rpoMs,
        false,
      ),
    ),
    target('rto', `RTO <= ${t.rtoMs / 60_000} min`, rtoMs, t.rtoMs, false),
    target('strict-rto', `RTO <= ${t.strictRtoMs / 60_000} min`, rtoMs, t.strictRtoMs, true),
    target(
      'strict-ledger-rpo',
      `ledger (Aurora) RPO <= ${t.strictLedgerRpoMs / 1000} s`,
      rpo.aurora.observedMs,
      t.strictLedgerRpoMs,
      true,
    ),
  ];
}

export function verdict(
  errors: readonly string[],
  targets: readonly TargetResult[],
): { passed: boolean; strictPassed: boolean } {
  return {
    passed: errors.length === 0 && targets.filter((x) => !x.strict).every((x) => x.pass),
    strictPassed: targets.every((x) => x.pass),
  };
}

/** What the RTO of the method measures. */
export function rtoDefinition(method: DrillMethod): string {
  switch (method) {
    case 'switchover':
      return 'from the switchover request until the public name serves 200 from the secondary region';
  }
}
