/**
 * The Aurora PostgreSQL major versions the ledger can run on, as a global database on Serverless v2, and what
 * is known of their lifecycle. One table: the config schema validates `database.engineVersion` against it, the
 * Aurora constructs derive the parameter group family from it, and synth warns from it.
 *
 * - `firstMinor`: the lowest minor accepted. 14.3 is where AWS lists global databases and Serverless v2 for
 *   Aurora PostgreSQL 14 in us-east-1 and us-east-2
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.Aurora_Fea_Regions_DB-eng.Feature.GlobalDatabase.html,
 *   .../Concepts.Aurora_Fea_Regions_DB-eng.Feature.ServerlessV2.html); for 15, 16 and 17 it is the first Aurora
 *   release of that major (15.2, 16.1, 17.4). Whether a given minor is still offered in a Region is AWS's to say
 *   at plan time: `aws rds describe-db-engine-versions --engine aurora-postgresql --engine-version <v>
 *   --query 'DBEngineVersions[0].SupportsGlobalDatabases'` in both Regions (docs/deploy.md).
 * - `endOfStandardSupport`: the Aurora end of standard support date where AWS has announced it. For 14: "Aurora
 *   PostgreSQL 14 will reach end of standard support on February 28, 2027" (AWS Health notice to Aurora
 *   PostgreSQL 14 users, quoted in guardian/giant#850, 2026-09; the Aurora PostgreSQL release calendar,
 *   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/aurorapostgresql-release-calendar.html,
 *   is the reference). The clusters set engine_lifecycle_support = open-source-rds-extended-support-disabled, and
 *   then "creating the DB cluster will fail if the DB major version is past its end of standard support date"
 *   (CreateDBCluster, EngineLifecycleSupport) while existing clusters are upgraded by AWS "on or shortly after the
 *   Aurora end of standard support date" (Aurora User Guide, "Creating an Aurora DB cluster or a global cluster
 *   with Amazon RDS Extended Support"). Dates not verified here are left out rather than guessed.
 */
export const AURORA_POSTGRESQL_MAJORS = {
  14: { firstMinor: 3, endOfStandardSupport: '2027-02-28' },
  15: { firstMinor: 2 },
  16: { firstMinor: 1 },
  17: { firstMinor: 4 },
} as const satisfies Record<number, { firstMinor: number; endOfStandardSupport?: string }>;

export type EngineMajor = keyof typeof AURORA_POSTGRESQL_MAJORS;
export const ENGINE_MAJORS = Object.keys(AURORA_POSTGRESQL_MAJORS).map(Number) as EngineMajor[];

/** How long before the end of standard support synth starts warning. */
export const SUPPORT_WARNING_DAYS = 180;

const VERSION = /^(\d+)\.(\d+)$/;

/** Why `version` cannot be deployed, or undefined when it can. */
export function engineVersionProblem(version: string): string | undefined {
  const m = VERSION.exec(version);
  if (!m) return 'an Aurora PostgreSQL version such as 14.15 (major.minor)';
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const entry = (AURORA_POSTGRESQL_MAJORS as Record<number, { firstMinor: number } | undefined>)[major];
  if (!entry)
    return `Aurora PostgreSQL ${major} is not supported here: choose major ${ENGINE_MAJORS.join(', ')}`;
  if (minor < entry.firstMinor)
    return `Aurora PostgreSQL ${version} does not support global databases with Serverless v2 (need ${major}.${entry.firstMinor}+)`;
  return undefined;
}

/** The major version of a valid `database.engineVersion`. */
export function engineMajor(version: string): EngineMajor {
  const problem = engineVersionProblem(version);
  if (problem) throw new Error(problem);
  return Number(version.split('.')[0]) as EngineMajor;
}

/** The cluster parameter group family of a version: it follows the major (aurora-postgresql14, ...). */
export const parameterGroupFamily = (version: string): string => `aurora-postgresql${engineMajor(version)}`;

/** The announced end of standard support of the version's major (YYYY-MM-DD), when known. */
export function endOfStandardSupport(version: string): string | undefined {
  const entry = AURORA_POSTGRESQL_MAJORS[engineMajor(version)] as { endOfStandardSupport?: string };
  return entry.endOfStandardSupport;
}
