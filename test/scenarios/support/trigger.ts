import {
  agreementSeries,
  type DataPoint,
  defaultRangePeriods,
  DETECTOR_BLIND_ALARM,
  evaluateAlarm,
  primaryFailedAlarm,
  SECONDARY_UNHEALTHY_ALARM,
  secondarySeries,
  verdictCountSeries,
} from '../../../runtime/detection/agreement';
import { PERIOD_MS } from '../../../runtime/detection/schedule';
import { SECONDARY, T0, type Vantage, VANTAGES } from './world';

/**
 * The failover trigger as the design states it (ARC plan trigger, automatic mode): `primary-failed` in ALARM
 * and `secondary-unhealthy` OK, at the same evaluation. The alarms live in us-east-2: when that region is lost
 * nothing is evaluated any more. Evaluations happen once a minute at `offsetMs` past the minute.
 */
export interface TriggerOptions {
  detectionMinutes?: number;
  minutes: number;
  offsetMs?: number;
  /** Evaluation range in periods (default: the model's assumption, agreement.ts). */
  rangePeriods?: number;
  alarmsLostAt?: number;
}

export function evaluations(o: TriggerOptions): number[] {
  const out: number[] = [];
  for (let k = 1; k <= o.minutes; k++) {
    const t = T0 + k * PERIOD_MS + (o.offsetMs ?? 0);
    if (t < (o.alarmsLostAt ?? Infinity)) out.push(t);
  }
  return out;
}

export function triggerAt(points: readonly DataPoint[], o: TriggerOptions): number | undefined {
  const primary = primaryFailedAlarm(o.detectionMinutes ?? 3);
  for (const t of evaluations(o)) {
    const failed = evaluateAlarm(
      primary,
      agreementSeries(points, VANTAGES, t),
      t,
      o.rangePeriods ?? defaultRangePeriods(primary),
    );
    const secondary = evaluateAlarm(
      SECONDARY_UNHEALTHY_ALARM,
      secondarySeries(points, SECONDARY, t),
      t,
      o.rangePeriods ?? defaultRangePeriods(SECONDARY_UNHEALTHY_ALARM),
    );
    if (failed === 'ALARM' && secondary === 'OK') return t;
  }
  return undefined;
}

/** Whether `primary-failed` alone was ever in ALARM (whatever the secondary). */
export function primaryFailedEver(points: readonly DataPoint[], o: TriggerOptions): boolean {
  const primary = primaryFailedAlarm(o.detectionMinutes ?? 3);
  return evaluations(o).some(
    (t) =>
      evaluateAlarm(primary, agreementSeries(points, VANTAGES, t), t, defaultRangePeriods(primary)) ===
      'ALARM',
  );
}

/** Whether the detector-blind alarm of `vantage` is in ALARM at `t`. */
export function blindAt(points: readonly DataPoint[], vantage: Vantage, t: number): boolean {
  return (
    evaluateAlarm(
      DETECTOR_BLIND_ALARM,
      verdictCountSeries(points, vantage, t),
      t,
      defaultRangePeriods(DETECTOR_BLIND_ALARM),
    ) === 'ALARM'
  );
}

/** Evaluation phases and ranges every guarantee is checked against. */
export const OFFSETS_MS = [0, 20_000, 45_000, 59_000];
export const RANGES = [undefined, 3, 4, 8];
