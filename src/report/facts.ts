import { type DataFacts, extractDataFacts } from './facts-data';
import { type DetectionFacts, extractDetectionFacts } from './facts-detection';
import { type EngineFacts, extractEngineFacts } from './facts-engine';
import { extractHealthFacts, type HealthFacts } from './facts-health';
import type { PlanStacks } from './plan';

export type { DataFacts, RpoParameter } from './facts-data';
export type { AlarmFact, DetectionFacts, DetectorFact } from './facts-detection';
export { DETECTION_CONTRACT } from './facts-detection';
export type { EngineFacts, PlanStep, RecordFact } from './facts-engine';
export type { HealthFacts, RouteFact } from './facts-health';
export { environmentOf, type PlanStacks, readPlan, type StackJson } from './plan';

/** What the synthesized plan says about each recovery mechanism, by concern (absent parts say so). */
export interface PlanFacts extends DataFacts {
  engine: EngineFacts;
  detection: DetectionFacts;
  health: HealthFacts;
}

export function extractFacts(p: PlanStacks): PlanFacts {
  const data = extractDataFacts(p);
  const engine = extractEngineFacts(p);
  return {
    ...data,
    engine,
    detection: extractDetectionFacts(p, engine.plan?.name),
    health: extractHealthFacts(p),
  };
}
