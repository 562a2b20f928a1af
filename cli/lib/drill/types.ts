import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../../runtime/shared/clock';
import type { GlobalTopology } from '../topology';
import type { HttpClient } from '../http';
import type { RequestSigner } from '../sigv4';

/** The drill's settings, dependencies and report (cli/lib/drill/index.ts runs it). */
/**
 * How the drill fails over: a switchover (a graceful execution of the Region switch plan). The plan creates and
 * owns the DNS health checks, so there is no health-check inversion: it would fight the plan and move DNS
 * without the database and the write fence.
 */
export type DrillMethod = 'switchover';
export type Store = 'aurora' | 'dynamodb' | 's3';
export const STORES: readonly Store[] = ['aurora', 'dynamodb', 's3'];

export interface DrillTargets {
  /** Requirement: every store's observed RPO. */
  rpoMs: number;
  /** Requirement. */
  rtoMs: number;
  /** Design targets, stricter than the requirement. */
  strictRtoMs: number;
  strictLedgerRpoMs: number;
}

export const DEFAULT_TARGETS: DrillTargets = {
  rpoMs: 15 * 60_000,
  rtoMs: 30 * 60_000,
  strictRtoMs: 5 * 60_000,
  strictLedgerRpoMs: 1000,
};

export interface DrillSettings {
  environment: string;
  runId: string;
  method: DrillMethod;
  primaryRegion: string;
  secondaryRegion: string;
  primaryClusterId: string;
  publicHost: string;
  secondaryApiHost: string;
  idempotencyTable: string;
  secondaryReceiptsBucket: string;
  canaries: number;
  canaryIntervalMs: number;
  observePollMs: number;
  observeTimeoutMs: number;
  rtoPollMs: number;
  rtoTimeoutMs: number;
  restoreTimeoutMs: number;
  requestTimeoutMs: number;
  targets: DrillTargets;
}

export interface DrillDeps {
  clock: Clock;
  http: HttpClient;
  sign: RequestSigner;
  ddbSecondary: DynamoDBDocumentClient;
  s3Secondary: S3Client;
  readTopology: () => Promise<GlobalTopology>;
  /** Runs one Region switch (a plan execution) to its end: the drill's switchover and its failback. */
  switchRegion: (
    action: 'switchover' | 'failback',
    options: { waitReadyMs: number; signal?: AbortSignal },
  ) => Promise<SwitchOutcome>;
  progress: (line: string) => void;
  /** Aborting it ends the current phase early; the restore still runs. */
  signal?: AbortSignal;
}

/** The outcome of one Region switch as the drill records it. */
export interface SwitchOutcome {
  /** `completed`, or what it ended as (cli/lib/follow.ts FollowOutcome, `refused`, `error`). */
  outcome: string;
  message: string;
  elapsedMs: number;
  executionId?: string;
  /** How long the plan's Aurora Global Database step took. */
  promotionMs?: number;
}

export interface Visibility {
  visibleAt: string | null;
  lagMs: number | null;
  error?: string;
}

export interface CanaryRecord {
  index: number;
  idempotencyKey: string;
  paymentId: string | null;
  sentAt: string;
  committedAt: string | null;
  /** Creation time the API recorded (server clock). */
  createdAt: string | null;
  servedBy: string | null;
  attempts: number;
  error?: string;
  visibility: Record<Store, Visibility>;
}

export interface TargetResult {
  id: string;
  description: string;
  observedMs: number | null;
  limitMs: number;
  pass: boolean;
  strict: boolean;
}

export interface DrillReport {
  runId: string;
  environment: string;
  method: DrillMethod;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  primaryRegion: string;
  secondaryRegion: string;
  publicHost: string;
  canaries: CanaryRecord[];
  rpo: Record<Store, { observedMs: number | null; visible: number; total: number }>;
  /** Polling interval of the replication observation: the resolution of the observed lags. */
  rpoResolutionMs: number;
  failover: {
    startedAt: string | null;
    promotion: SwitchOutcome | null;
    /** First answer of the public name from the secondary region (any status). */
    routedAt: string | null;
    routedMs: number | null;
    /** First 200 of the public name from the secondary region. */
    servingAt: string | null;
    servingMs: number | null;
    rtoMs: number | null;
    rtoDefinition: string;
    healthPolls: number;
    healthErrors: number;
  };
  postFailoverWrite: { ok: boolean; status: number | null; region: string | null; error?: string } | null;
  restore: {
    startedAt: string | null;
    action: string | null;
    outcome: string | null;
    message: string | null;
    restoredAt: string | null;
    durationMs: number | null;
  };
  targets: TargetResult[];
  /** The preflight refused (the environment was not ready for a drill): nothing was sent or changed. */
  refused: boolean;
  /** All requirement targets met and no errors. */
  passed: boolean;
  strictPassed: boolean;
  timeline: Array<{ at: string; tMs: number; event: string }>;
  errors: string[];
}

/** Ends the drill's current phase with a one-line reason (the restore still runs). */
export class DrillAbort extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrillAbort';
  }
}

/** An error as one line for the report. */
export const message = (err: unknown): string =>
  err instanceof Error ? `${err.name}: ${err.message}` : String(err);
