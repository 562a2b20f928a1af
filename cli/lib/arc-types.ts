/**
 * The shapes of the ARC Region switch API that drctl reads, and their decoders from the JSON 1.0 answers
 * (aws-sdk-js-v3 codegen/sdk-codegen/aws-models/arc-region-switch.json; names as on the wire). The client is
 * arc-client.ts.
 */
export type Json = Record<string, unknown>;

export type ExecutionAction = 'activate' | 'deactivate';
export type ExecutionMode = 'graceful' | 'ungraceful';
export type ExecutionState =
  | 'inProgress'
  | 'pausedByFailedStep'
  | 'pausedByOperator'
  | 'completed'
  | 'completedWithExceptions'
  | 'canceled'
  | 'planExecutionTimedOut'
  | 'pendingManualApproval'
  | 'failed'
  | 'pending'
  | 'completedMonitoringApplicationHealth';
export type StepStatus =
  'notStarted' | 'running' | 'failed' | 'completed' | 'canceled' | 'skipped' | 'pendingApproval';

export interface PlanSummary {
  arn: string;
  name: string;
  regions: string[];
  primaryRegion?: string;
  activePlanExecution?: string;
}
export interface PlanStep {
  name: string;
  executionBlockType: string;
}
export interface Plan extends PlanSummary {
  version?: string;
  workflows: Array<{ workflowTargetAction: string; workflowTargetRegion?: string; steps: PlanStep[] }>;
}
export interface ExecutionSummary {
  planArn: string;
  executionId: string;
  executionRegion: string;
  executionState: ExecutionState;
  executionAction: ExecutionAction;
  mode: ExecutionMode;
  startTime: string;
  endTime?: string;
  comment?: string;
  actualRecoveryTime?: string;
}
export interface StepState {
  name: string;
  status: StepStatus;
  startTime?: string;
  endTime?: string;
  stepMode?: ExecutionMode;
}
export interface Execution extends ExecutionSummary {
  stepStates: StepState[];
  plan?: Plan;
}
export interface ExecutionEvent {
  eventId: string;
  timestamp?: string;
  type?: string;
  stepName?: string;
  description?: string;
  error?: string;
}
export interface Evaluation {
  planArn: string;
  region?: string;
  evaluationState?: 'passed' | 'actionRequired' | 'pendingEvaluation' | 'unknown';
  lastEvaluationTime?: string;
  warnings: Array<{ stepName?: string; warningMessage: string; warningStatus: string }>;
}
/**
 * One Route 53 health check of the plan's Route 53 health-check execution block (ListRoute53HealthChecksInRegion;
 * model shape Route53HealthCheck: hostedZoneId, recordName and region required, healthCheckId and status
 * optional). ARC creates and owns these health checks.
 */
export type HealthCheckState = 'healthy' | 'unhealthy' | 'unknown';
export interface Route53HealthCheck {
  hostedZoneId: string;
  recordName: string;
  region: string;
  healthCheckId?: string;
  status?: HealthCheckState;
}
export interface ApproveInput {
  planArn: string;
  executionId: string;
  stepName: string;
  approval: 'approve' | 'decline';
  comment?: string;
}
export interface StartExecutionInput {
  planArn: string;
  targetRegion: string;
  action: ExecutionAction;
  mode: ExecutionMode;
  comment?: string;
}

// Decoding: required fields must be there (a malformed answer is an error, never a default).
export const str = (o: Json, k: string): string => {
  if (typeof o[k] !== 'string') throw new Error(`arc-region-switch answer without ${k}`);
  return o[k] as string;
};
export const opt = (o: Json, k: string): string | undefined =>
  typeof o[k] === 'string' ? (o[k] as string) : undefined;
export const time = (o: Json, k: string): string | undefined =>
  typeof o[k] === 'number' ? new Date((o[k] as number) * 1000).toISOString() : opt(o, k);
export const list = (o: Json, k: string): Json[] => (Array.isArray(o[k]) ? (o[k] as Json[]) : []);
export const omitUndefined = <T extends object>(v: T): T =>
  Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) as T;

export const planSummary = (p: Json): PlanSummary =>
  omitUndefined({
    arn: str(p, 'arn'),
    name: str(p, 'name'),
    regions: Array.isArray(p.regions) ? (p.regions as string[]) : [],
    primaryRegion: opt(p, 'primaryRegion'),
    activePlanExecution: opt(p, 'activePlanExecution'),
  });
export const plan = (p: Json): Plan => ({
  ...planSummary(p),
  ...omitUndefined({ version: opt(p, 'version') }),
  workflows: list(p, 'workflows').map((w) => ({
    workflowTargetAction: str(w, 'workflowTargetAction'),
    ...omitUndefined({ workflowTargetRegion: opt(w, 'workflowTargetRegion') }),
    steps: list(w, 'steps').map((s) => ({
      name: str(s, 'name'),
      executionBlockType: str(s, 'executionBlockType'),
    })),
  })),
});
export const summary = (e: Json): ExecutionSummary =>
  omitUndefined({
    planArn: str(e, 'planArn'),
    executionId: str(e, 'executionId'),
    executionRegion: str(e, 'executionRegion'),
    executionState: str(e, 'executionState') as ExecutionState,
    executionAction: str(e, 'executionAction') as ExecutionAction,
    mode: str(e, 'mode') as ExecutionMode,
    startTime: time(e, 'startTime') ?? str(e, 'startTime'),
    endTime: time(e, 'endTime'),
    comment: opt(e, 'comment'),
    actualRecoveryTime: opt(e, 'actualRecoveryTime'),
  });
export const stepState = (s: Json): StepState =>
  omitUndefined({
    name: str(s, 'name'),
    status: str(s, 'status') as StepStatus,
    startTime: time(s, 'startTime'),
    endTime: time(s, 'endTime'),
    stepMode: opt(s, 'stepMode') as ExecutionMode | undefined,
  });

export const started = (o: Json) =>
  omitUndefined({
    executionId: str(o, 'executionId'),
    planVersion: opt(o, 'planVersion'),
    activateRegion: opt(o, 'activateRegion'),
    deactivateRegion: opt(o, 'deactivateRegion'),
  });
export const event = (e: Json): ExecutionEvent =>
  omitUndefined({
    eventId: str(e, 'eventId'),
    timestamp: time(e, 'timestamp'),
    type: opt(e, 'type'),
    stepName: opt(e, 'stepName'),
    description: opt(e, 'description'),
    error: opt(e, 'error'),
  });
export const evaluation = (first: Json, warnings: Json[]): Evaluation =>
  omitUndefined({
    planArn: str(first, 'planArn'),
    region: opt(first, 'region'),
    evaluationState: opt(first, 'evaluationState') as Evaluation['evaluationState'],
    lastEvaluationTime: time(first, 'lastEvaluationTime'),
    warnings: warnings.map((w) => ({
      ...omitUndefined({ stepName: opt(w, 'stepName') }),
      warningMessage: str(w, 'warningMessage'),
      warningStatus: str(w, 'warningStatus'),
    })),
  });

const HEALTH_CHECK_STATES: ReadonlySet<string> = new Set<HealthCheckState>([
  'healthy',
  'unhealthy',
  'unknown',
]);
export const route53HealthCheck = (h: Json): Route53HealthCheck => {
  const status = opt(h, 'status');
  // A state the model does not define is not guessed at: the answer is malformed.
  if (status !== undefined && !HEALTH_CHECK_STATES.has(status))
    throw new Error(`arc-region-switch answer with health check status ${status.slice(0, 40)}`);
  return omitUndefined({
    hostedZoneId: str(h, 'hostedZoneId'),
    recordName: str(h, 'recordName'),
    region: str(h, 'region'),
    healthCheckId: opt(h, 'healthCheckId'),
    status: status as HealthCheckState | undefined,
  });
};

/** States after which an execution does nothing more (the SDK's PlanExecutionCompleted waiter's end states). */
export const FINISHED: ReadonlySet<ExecutionState> = new Set([
  'completed',
  'completedWithExceptions',
  'canceled',
  'planExecutionTimedOut',
  'failed',
]);
