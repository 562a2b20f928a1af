/**
 * How the policy sweep treats each resource type. Every type that appears in a synthesized stack must be
 * classified here, so a new kind of resource cannot slip past the encryption rule unnoticed.
 */
export type Attrs = Record<string, unknown>;
export interface SweepContext {
  /** All resources of the same stack, by type then logical name. */
  stack: Record<string, Record<string, Attrs>>;
  /** The logical name of the resource being checked. */
  logicalName: string;
}

const isRef = (v: unknown): boolean => typeof v === 'string' && /\$\{.+\}/.test(v);

/** Types holding data at rest, with the check that it is encrypted with a customer-managed key. */
export const ENCRYPTION_RULES: Record<string, (a: Attrs, ctx: SweepContext) => string | null> = {
  aws_cloudwatch_log_group: (a) => (isRef(a.kms_key_id) ? null : 'log group without kms_key_id'),
  aws_sns_topic: (a) => (isRef(a.kms_master_key_id) ? null : 'SNS topic without a CMK'),
  aws_sqs_queue: (a) => (isRef(a.kms_master_key_id) ? null : 'SQS queue without a CMK'),
  aws_kms_key: (a) => (a.enable_key_rotation === true ? null : 'KMS key without rotation'),
  aws_kms_replica_key: () => null,
  aws_cloudtrail: (a) => (isRef(a.kms_key_id) ? null : 'trail without a CMK'),
  aws_secretsmanager_secret: (a) => {
    if (!isRef(a.kms_key_id)) return 'secret without a CMK';
    const replicas = (a.replica as Attrs[] | undefined) ?? [];
    const customerKey = (v: unknown) =>
      isRef(v) || (typeof v === 'string' && v.startsWith('alias/') && !v.startsWith('alias/aws/'));
    return replicas.every((r) => customerKey(r.kms_key_id)) ? null : 'secret replica without a CMK';
  },
  aws_secretsmanager_secret_version: () => null,
  aws_rds_global_cluster: (a) => (a.storage_encrypted === true ? null : 'global cluster not encrypted'),
  aws_rds_cluster: (a) => {
    if (a.storage_encrypted !== true || !isRef(a.kms_key_id)) return 'cluster storage without a CMK';
    if (a.performance_insights_enabled === true && !isRef(a.performance_insights_kms_key_id))
      return 'Performance Insights without a CMK';
    return null;
  },
  aws_rds_cluster_instance: (a) =>
    a.performance_insights_enabled === true && !isRef(a.performance_insights_kms_key_id)
      ? 'Performance Insights without a CMK'
      : null,
  aws_dynamodb_table: (a) => {
    const sse = (a.server_side_encryption as Attrs | undefined) ?? {};
    if (sse.enabled !== true || !isRef(sse.kms_key_arn)) return 'table without a CMK';
    const replicas = (a.replica as Attrs[] | undefined) ?? [];
    return replicas.every((r) => isRef(r.kms_key_arn)) ? null : 'table replica without a CMK';
  },
  // An item is encrypted by its table: it must live in a table of this stack (which the rule above checks).
  aws_dynamodb_table_item: (a, ctx) =>
    typeof a.table_name === 'string' &&
    Object.keys(ctx.stack.aws_dynamodb_table ?? {}).some(
      (t) => a.table_name === `\${aws_dynamodb_table.${t}.name}`,
    )
      ? null
      : 'table item outside a table of this stack',
  aws_s3_bucket: (a, ctx) => {
    const name = JSON.stringify(a.bucket);
    const mine = Object.values(ctx.stack.aws_s3_bucket_server_side_encryption_configuration ?? {}).find(
      (c) =>
        c.bucket === `\${aws_s3_bucket.${ctx.logicalName}.id}` ||
        c.bucket === `\${aws_s3_bucket.${ctx.logicalName}.bucket}`,
    );
    if (!mine) return `bucket ${name} has no SSE configuration`;
    const rule = (mine.rule as Attrs[])[0];
    const def = (rule.apply_server_side_encryption_by_default as Attrs) ?? {};
    if (def.sse_algorithm !== 'aws:kms' || !isRef(def.kms_master_key_id))
      return `bucket ${name} is not SSE-KMS with a CMK`;
    return rule.bucket_key_enabled === true ? null : `bucket ${name} without S3 bucket keys`;
  },
  aws_s3_bucket_server_side_encryption_configuration: () => null,
  aws_lambda_function: (a) => (isRef(a.kms_key_arn) ? null : 'Lambda environment not encrypted with a CMK'),
  aws_cloudwatch_dashboard: () => null,
};

/** Types that store no customer data at rest (networking, IAM, wiring). */
export const NO_DATA_AT_REST = new Set<string>([
  'aws_vpc',
  'aws_subnet',
  'aws_route_table',
  'aws_route_table_association',
  'aws_route',
  'aws_default_security_group',
  'aws_security_group',
  'aws_vpc_security_group_ingress_rule',
  'aws_vpc_security_group_egress_rule',
  'aws_vpc_endpoint',
  'aws_flow_log',
  'aws_vpc_peering_connection',
  'aws_vpc_peering_connection_accepter',
  'aws_vpc_peering_connection_options',
  'aws_iam_role',
  'aws_iam_role_policy',
  'aws_iam_role_policy_attachment',
  'aws_kms_alias',
  'aws_db_subnet_group',
  'aws_rds_cluster_parameter_group',
  'aws_s3_bucket_versioning',
  'aws_s3_bucket_public_access_block',
  'aws_s3_bucket_ownership_controls',
  'aws_s3_bucket_policy',
  'aws_s3_bucket_lifecycle_configuration',
  'aws_s3_bucket_notification',
  'aws_s3_bucket_replication_configuration',
  'aws_acm_certificate',
  'aws_acm_certificate_validation',
  'aws_api_gateway_account',
  'aws_api_gateway_rest_api',
  'aws_api_gateway_deployment',
  'aws_api_gateway_stage',
  'aws_api_gateway_method_settings',
  'aws_api_gateway_domain_name',
  'aws_api_gateway_base_path_mapping',
  'aws_lambda_permission',
  'aws_route53_record',
  // A plan is configuration (steps, alarms, regions); what it moves is encrypted where it lives.
  'aws_arcregionswitch_plan',
  'aws_cloudwatch_metric_alarm',
  'aws_sns_topic_policy',
  'aws_sns_topic_subscription',
  'aws_wafv2_web_acl',
  'aws_wafv2_web_acl_association',
  'aws_wafv2_web_acl_logging_configuration',
  'aws_cloudwatch_event_rule',
  'aws_cloudwatch_event_target',
  'aws_lambda_function_event_invoke_config',
  'aws_cloudwatch_log_metric_filter',
  'aws_cloudwatch_log_resource_policy',
  'aws_dynamodb_tag',
]);

/**
 * AWS-managed policies the stacks may attach, by ARN, each with why its wildcards are acceptable. Their documents
 * are not in the synthesized JSON, so the IAM wildcard sweep cannot see them: an attachment of any AWS-managed
 * policy not listed here fails the sweep. Documents as published in the AWS managed policy reference.
 */
export const AWS_MANAGED_POLICIES: Record<string, string> = {
  'arn:aws:iam::aws:policy/service-role/AWSLambdaENIManagementAccess':
    'ec2:Create/Describe/DeleteNetworkInterface and Assign/UnassignPrivateIpAddresses on "*": the Lambda ' +
    'service needs them to attach VPC functions and these EC2 actions offer no useful resource scoping before ' +
    'the ENI exists; no data access.',
  'arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole':
    'logs:CreateLogGroup/PutRetentionPolicy/CreateLogStream/PutLogEvents on log groups named RDS* only: assumed ' +
    'by monitoring.rds.amazonaws.com (this account only) to write the OS metrics of enhanced monitoring.',
  'arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs':
    'CloudWatch Logs write/read actions on "*": the role is the account-wide API Gateway logging role of the ' +
    'region (one per account and region, shared by every API), so it cannot be narrowed to our log groups.',
};

/** Attributes that carry a resource's own name. */
export const NAME_KEYS = [
  'name',
  'bucket',
  'function_name',
  'cluster_identifier',
  'identifier',
  'global_cluster_identifier',
  'alarm_name',
  'dashboard_name',
] as const;

/**
 * Names whose form AWS dictates, so they cannot carry the suffix literally, each with why it is still unique per
 * environment. Matched against the whole synthesized value.
 */
export const AWS_DICTATED_NAMES: Array<{ pattern: RegExp; reason: string }> = [
  {
    pattern: /^API-Gateway-Execution-Logs_\$\{aws_api_gateway_rest_api\.[\w-]+\.id\}\/[\w-]+$/,
    reason:
      'API Gateway writes execution logs to API-Gateway-Execution-Logs_<rest api id>/<stage> only; the id is ' +
      "that of this environment's (suffixed) REST API.",
  },
];

/** Types whose `name` is not a name of ours (e.g. a DNS name or a name scoped to its parent), with why. */
export const NAME_EXEMPT: Record<string, string> = {
  aws_iam_role_policy: 'inline policy names are scoped to their role, which carries the suffix',
  aws_route53_record: 'the name is the DNS name served',
};
