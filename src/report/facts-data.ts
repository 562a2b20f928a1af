import { AWS_TIMINGS } from './aws-timings';
import { type Attrs, list, type PlanStacks, resolve, type StackJson, wholeNumber } from './plan';

/** rds.global_db_rpo as one cluster's parameter group sets it. */
export interface RpoParameter {
  /** The cluster parameter group (its name, or the Terraform reference when the name is computed). */
  group?: string;
  /** The valid value in seconds; undefined when unset or invalid. */
  seconds?: number;
  /** Why there is no valid value: not set, not a number, below the AWS minimum. */
  problem?: string;
}

/** What the plan says about the data stores (RPO) and the primary's in-region redundancy. */
export interface DataFacts {
  aurora: {
    globalCluster: boolean;
    primaryMember: boolean;
    secondaryMember: boolean;
    instancesPrimary: number;
    /**
     * rds.global_db_rpo of the primary (writer) cluster's parameter group: Aurora enforces it on the writer, so it
     * bounds the data lost when the primary is lost, and pauses the primary's commits while the secondary lags
     * beyond it. Undefined when not validly set.
     */
    rpoBoundSeconds?: number;
    /** The parameter on both clusters (the secondary's applies only once it is the writer). */
    rpoParameter: { primary: RpoParameter; secondary: RpoParameter };
  };
  /**
   * `strong`: multi-Region strong consistency (every replica `consistency_mode = STRONG`, plus a witness or a
   * third replica): writes reach a second Region before they return, so nothing acknowledged is lost.
   */
  dynamodb: Array<{ name: string; replicated: boolean; pitr: boolean; strong: boolean }>;
  s3: { replicated: boolean; rtcMinutes?: number };
  lambdaSubnetsPrimary: number;
  notes: string[];
}

function readRpoParameter(s: StackJson | undefined, cluster: Attrs | undefined): RpoParameter {
  if (!cluster) return { problem: 'no cluster in the global database' };
  const ref = cluster.db_cluster_parameter_group_name;
  if (ref === undefined) {
    // Aurora then uses the engine's default cluster parameter group, which does not set rds.global_db_rpo.
    return { problem: 'the cluster uses the default cluster parameter group (rds.global_db_rpo not set)' };
  }
  const found = resolve(s, 'aws_rds_cluster_parameter_group', ref);
  const group = found ? String(found[1].name ?? found[0]) : String(ref);
  if (!found) return { group, problem: `parameter group ${group} is not in the plan` };
  const param = ((found[1].parameter as Array<{ name: string; value: unknown }> | undefined) ?? []).find(
    (x) => x.name === 'rds.global_db_rpo',
  );
  if (!param) return { group, problem: 'rds.global_db_rpo not set' };
  const seconds = wholeNumber(param.value);
  if (seconds === undefined)
    return { group, problem: `rds.global_db_rpo=${String(param.value)} is not a number` };
  if (seconds < AWS_TIMINGS.auroraRpoMinimum.seconds) {
    return {
      group,
      problem: `rds.global_db_rpo=${seconds} is below the AWS minimum of ${AWS_TIMINGS.auroraRpoMinimum.seconds} s (not applicable)`,
    };
  }
  return { group, seconds };
}

export function extractDataFacts(p: PlanStacks): DataFacts {
  const notes: string[] = [];
  const globalCluster = list(p.global, 'aws_rds_global_cluster')[0];
  const member = (s: StackJson | undefined) =>
    globalCluster === undefined
      ? undefined
      : list(s, 'aws_rds_cluster').find(
          (c) =>
            c.global_cluster_identifier !== undefined &&
            c.global_cluster_identifier === globalCluster.global_cluster_identifier,
        );
  const primaryCluster = member(p.primary);
  const secondaryCluster = member(p.secondary);
  const rpoParameter = {
    primary: readRpoParameter(p.primary, primaryCluster),
    secondary: readRpoParameter(p.secondary, secondaryCluster),
  };
  if (secondaryCluster && rpoParameter.secondary.seconds !== undefined) {
    notes.push(
      `rds.global_db_rpo=${rpoParameter.secondary.seconds} s on the secondary cluster: AWS recommends keeping the default in the secondary Region's parameter group of a two-Region global database, "Otherwise, performing a failover due to a loss of the primary AWS Region could cause Aurora to pause transactions"`,
    );
  }

  // The primary -> secondary direction is the one on the interconnect stack's default (primary-region) provider.
  const forward = list(p.interconnect, 'aws_s3_bucket_replication_configuration').find(
    (c) => c.provider === undefined || c.provider === 'aws',
  );
  const forwardRule = (forward?.rule as Attrs[] | undefined)?.[0];
  const destination = forwardRule?.destination as Attrs | undefined;
  const rtc = destination?.replication_time as { status?: string; time?: { minutes?: number } } | undefined;

  const paymentFn = list(p.primary, 'aws_lambda_function').find((f) =>
    /-payment-api-/.test(String(f.function_name)),
  );

  return {
    aurora: {
      globalCluster: globalCluster !== undefined,
      primaryMember: primaryCluster !== undefined,
      secondaryMember: secondaryCluster !== undefined,
      instancesPrimary: list(p.primary, 'aws_rds_cluster_instance').length,
      ...(rpoParameter.primary.seconds !== undefined
        ? { rpoBoundSeconds: rpoParameter.primary.seconds }
        : {}),
      rpoParameter,
    },
    dynamodb: list(p.global, 'aws_dynamodb_table').map((t) => {
      const replicas = (t.replica as Attrs[] | undefined) ?? [];
      const witness = (t.global_table_witness as Attrs | undefined)?.region_name !== undefined;
      return {
        name: String(t.name),
        replicated: replicas.length > 0,
        pitr: (t.point_in_time_recovery as Attrs | undefined)?.enabled === true,
        strong:
          replicas.length > 0 &&
          replicas.every((r) => r.consistency_mode === 'STRONG') &&
          (witness || replicas.length >= 2),
      };
    }),
    s3: {
      replicated: forwardRule !== undefined && forwardRule.status === 'Enabled',
      ...(rtc?.status === 'Enabled' && rtc.time?.minutes ? { rtcMinutes: rtc.time.minutes } : {}),
    },
    lambdaSubnetsPrimary:
      ((paymentFn?.vpc_config as Attrs | undefined)?.subnet_ids as unknown[] | undefined)?.length ?? 0,
    notes,
  };
}
