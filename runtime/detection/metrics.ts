/**
 * The metrics the detectors publish and the agreement alarms read: names shared by runtime/detection/publish.ts,
 * the alarm model (agreement.ts) and the infrastructure (src/constructs/detection.ts). The namespace is an
 * environment name (src/resource-names.ts `detectionNamespace`), given to the function in its environment.
 */
export const DETECTION_METRICS = {
  /** 1: the run saw the primary failed at every probe; 0: healthy at least once; nothing: inconclusive. */
  primaryFailed: 'PrimaryFailed',
  /** 1: the secondary was healthy at every conclusive probe; 0: failed at least once; nothing: inconclusive. */
  secondaryHealthy: 'SecondaryHealthy',
  /** The vantage point's region. */
  dimension: 'Vantage',
} as const;
