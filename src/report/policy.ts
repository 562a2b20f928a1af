/**
 * What the report checks against (limits) and the values it assumes where neither the plan nor AWS gives one.
 * Every assumption is printed as such in the term that uses it; `npm run report -- --policy FILE` replaces any
 * of them (nested objects merge field by field).
 */
export interface Assumptions {
  /**
   * From the last breaching datapoint to the alarm's ALARM state. Unverified: CloudWatch documents that alarms
   * with a 10 s or 30 s period are evaluated every 10 s (AlarmThatSendsEmail.html, as quoted on AWS re:Post);
   * nothing found for 60 s periods, so one period is assumed.
   */
  alarmEvaluationSeconds: number;
  /**
   * From the trigger alarm's state change to ARC starting the execution. Unverified: ARC documents triggers
   * (API_Trigger: conditions, minDelayMinutesBetweenExecutions) but no time to act on them.
   */
  triggerSeconds: number;
  /**
   * The plan's Route 53 health-check step: ARC updates the health checks it owns. Unverified: the execution block
   * documents "the Route 53 health check state is updated" (route53-health-check-block.html), no duration; the
   * step's timeout_minutes is the plan's hard bound.
   */
  dnsStepSeconds: number;
  /** Route 53 answering from the new health-check state. Unverified: no propagation time found. */
  healthCheckPropagationSeconds: number;
}

export interface Policy {
  /** The requirement (original specification). */
  requirement: { rpoSeconds: number; rtoSeconds: number };
  /** The project's own stricter targets. */
  targets: { rtoSeconds: number; ledgerRpoSeconds: number };
  /** Assumed time for an operator to act on a page (manual mode, rollbacks, parameter resets). */
  manualResponseSeconds: number;
  /**
   * Replaces the Aurora global failover range (AWS_TIMINGS.auroraGlobalFailover) with one value, e.g. failovers
   * measured on a deployment. Never the switchover a drill measures: that is a different operation.
   */
  auroraPromotionSeconds?: number;
  assumptions: Assumptions;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  alarmEvaluationSeconds: 60,
  triggerSeconds: 60,
  dnsStepSeconds: 60,
  healthCheckPropagationSeconds: 60,
};

export const DEFAULT_POLICY: Policy = {
  requirement: { rpoSeconds: 15 * 60, rtoSeconds: 30 * 60 },
  targets: { rtoSeconds: 5 * 60, ledgerRpoSeconds: 1 },
  manualResponseSeconds: 15 * 60,
  assumptions: DEFAULT_ASSUMPTIONS,
};

/** The wording every term that rests on an assumption carries. */
export const ASSUMPTION_TEXT: Record<keyof Assumptions, string> = {
  alarmEvaluationSeconds:
    'unverified assumption (policy.assumptions.alarmEvaluationSeconds): one 60 s period; the detection slice (runtime/detection/agreement.ts) reads "evaluated every minute" for periods of a minute or more in https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html, which this report\u2019s search did not find again (it found 10 s evaluation for 10 s and 30 s periods, AlarmThatSendsEmail.html)',
  triggerSeconds:
    'unverified assumption (policy.assumptions.triggerSeconds): ARC documents trigger conditions and minDelayMinutesBetweenExecutions (https://docs.aws.amazon.com/arc-region-switch/latest/api/API_Trigger.html) but not how soon it acts on an alarm',
  dnsStepSeconds:
    'unverified assumption (policy.assumptions.dnsStepSeconds): "When you execute your Region switch plan, the Route 53 health check state is updated" (https://docs.aws.amazon.com/r53recovery/latest/dg/route53-health-check-block.html), no duration documented',
  healthCheckPropagationSeconds:
    'unverified assumption (policy.assumptions.healthCheckPropagationSeconds): no time documented for Route 53 to answer from a changed health-check state',
};

/** A policy from a partial one (a --policy file): nested objects merge field by field. */
export function mergePolicy(given: Partial<Policy> & { assumptions?: Partial<Assumptions> }): Policy {
  return {
    ...DEFAULT_POLICY,
    ...given,
    requirement: { ...DEFAULT_POLICY.requirement, ...given.requirement },
    targets: { ...DEFAULT_POLICY.targets, ...given.targets },
    assumptions: { ...DEFAULT_POLICY.assumptions, ...given.assumptions },
  };
}

/** Every number of a policy with its name, for validation. */
export function policyNumbers(p: Policy): Array<[string, unknown]> {
  return [
    ['requirement.rpoSeconds', p.requirement.rpoSeconds],
    ['requirement.rtoSeconds', p.requirement.rtoSeconds],
    ['targets.rtoSeconds', p.targets.rtoSeconds],
    ['targets.ledgerRpoSeconds', p.targets.ledgerRpoSeconds],
    ['manualResponseSeconds', p.manualResponseSeconds],
    ...(p.auroraPromotionSeconds !== undefined
      ? [['auroraPromotionSeconds', p.auroraPromotionSeconds] as [string, unknown]]
      : []),
    ...Object.entries(p.assumptions).map(([k, v]) => [`assumptions.${k}`, v] as [string, unknown]),
  ];
}
