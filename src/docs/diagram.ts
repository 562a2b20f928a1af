import type { PlanStacks } from '../report/facts';
import { extractFacts } from '../report/facts';

type Attrs = Record<string, unknown>;

export interface DiagramNode {
  id: string;
  label: string;
  group: 'us-east-1' | 'us-east-2' | 'global';
}

export interface DiagramEdge {
  from: string;
  to: string;
  label: string;
  kind: 'traffic' | 'replication' | 'control';
}

export interface Diagram {
  nodes: DiagramNode[];
  edges: DiagramEdge[];
  regions: { primary: string; secondary: string };
}

const values = (p: PlanStacks, stack: keyof PlanStacks, type: string): Attrs[] =>
  Object.values(p[stack]?.resource?.[type] ?? {});
const providerRegion = (p: PlanStacks, stack: keyof PlanStacks): string => {
  const providers =
    (p[stack] as { provider?: { aws?: Array<{ region?: string; alias?: string }> } } | undefined)?.provider
      ?.aws ?? [];
  return providers.find((x) => x.alias === undefined)?.region ?? 'unknown';
};

/**
 * The architecture as a graph, read from the synthesized plan: what exists in each region, how data
 * replicates, and the failover engine's control path (detectors -> agreement alarm -> ARC Region switch plan ->
 * fence, Aurora, DNS steps). Edges appear only when the plan has the resources behind them.
 */
export function buildDiagram(p: PlanStacks): Diagram {
  const f = extractFacts(p);
  const primary = providerRegion(p, 'primary');
  const secondary = providerRegion(p, 'secondary');
  const nodes: DiagramNode[] = [];
  const edges: DiagramEdge[] = [];
  const add = (id: string, label: string, group: DiagramNode['group']) => nodes.push({ id, label, group });

  const e = f.engine;
  const publicName = String(
    [...values(p, 'failover', 'aws_route53_record'), ...values(p, 'primary', 'aws_route53_record')].find(
      (r) => r.failover_routing_policy !== undefined,
    )?.name ?? 'public name',
  );
  add('dns', `Route 53 failover\\n${publicName}\\n(health checks owned by the plan)`, 'global');
  if (e.plan) {
    const mode = e.plan.trigger ? 'automatic (trigger)' : 'manual';
    add(
      'plan',
      `ARC Region switch plan ${e.plan.name}\\n${mode}, RTO objective ${e.plan.rtoObjectiveMinutes ?? '?'} min\\nsteps: ${e.plan.steps.map((x) => x.name).join(', ')}`,
      'global',
    );
  }
  const alarm = f.detection.primaryFailed;
  if (alarm && f.detection.agreement)
    add(
      'agree',
      `Alarm ${alarm.name}\\n${f.detection.agreement.vantages.join(' AND ')} >= 1, ${f.detection.agreement.periods} x 60 s`,
      'us-east-2',
    );
  for (const d of f.detection.detectors) {
    const group = d.region === 'us-east-1' || d.region === 'us-east-2' ? d.region : 'global';
    add(
      `det_${d.region.replace(/-/g, '_')}`,
      `Detector ${d.functionName}\\n(${d.region}, every ${d.intervalSeconds ?? '?'} s)`,
      group,
    );
  }
  add(
    'kms',
    `KMS multi-Region keys\\n(${values(p, 'global', 'aws_kms_key').length} primary + ${values(p, 'global', 'aws_kms_replica_key').length} replica)`,
    'global',
  );

  for (const [stack, region, role] of [
    ['primary', primary, 'p'],
    ['secondary', secondary, 's'],
  ] as const) {
    const group = region as DiagramNode['group'];
    const fns = values(p, stack, 'aws_lambda_function').map((x) => String(x.function_name));
    const api = values(p, stack, 'aws_api_gateway_rest_api')[0];
    if (api) add(`${role}_api`, `API Gateway + WAF\\n${String(api.name)}`, group);
    const payment = fns.find((n) => n.includes('-payment-api-'));
    // Which routes the payment function serves, from this region's own API document.
    const doc = api
      ? (JSON.parse(String(api.body)) as { paths?: Record<string, Record<string, Attrs>> })
      : {};
    const uri = (path: string) =>
      String((doc.paths?.[path]?.get?.['x-amazon-apigateway-integration'] as Attrs | undefined)?.uri ?? '');
    const served =
      uri('/health') !== '' && uri('/health') === uri('/payments/{id}') ? '/payments + /health' : '/payments';
    if (payment) add(`${role}_fn`, `Lambda ${payment}\\n(VPC, ${served})`, group);
    const fence = fns.find((n) => n.includes('-fence-'));
    if (fence) add(`${role}_fence`, `Fence step ${fence}`, group);
    const cluster = values(p, stack, 'aws_rds_cluster')[0];
    if (cluster) {
      add(
        `${role}_db`,
        `Aurora PostgreSQL ${String(cluster.cluster_identifier)}\\n${values(p, stack, 'aws_rds_cluster_instance').length} x Serverless v2`,
        group,
      );
    }
    const bucket = values(p, stack, 'aws_s3_bucket')[0];
    if (bucket) add(`${role}_s3`, 'S3 receipts (versioned, SSE-KMS)', group);
    add(`${role}_ddb`, `DynamoDB replicas\\n${f.dynamodb.map((t) => t.name).join(', ')}`, group);
    const topic = values(p, stack, 'aws_sns_topic')[0];
    if (topic) add(`${role}_sns`, `SNS ${String(topic.name)}`, group);
    if (api && payment)
      edges.push({ from: `${role}_api`, to: `${role}_fn`, label: 'Lambda proxy', kind: 'traffic' });
    if (payment && cluster)
      edges.push({ from: `${role}_fn`, to: `${role}_db`, label: 'IAM auth, TLS', kind: 'traffic' });
    if (payment)
      edges.push({
        from: `${role}_fn`,
        to: `${role}_ddb`,
        label: 'fence, reservations, sessions',
        kind: 'traffic',
      });
    if (payment && bucket)
      edges.push({ from: `${role}_fn`, to: `${role}_s3`, label: 'receipts', kind: 'traffic' });
    const relay = fns.find((n) => n.includes('-alert-relay'));
    if (relay) add('relay', `Alert relay ${relay}`, group);
  }

  const rec = e.records;
  const checked = (r: typeof rec.primary) => (r?.planHealthCheck ? ' (plan health check)' : '');
  if (rec.primary)
    edges.push({ from: 'dns', to: 'p_api', label: `PRIMARY${checked(rec.primary)}`, kind: 'traffic' });
  if (rec.secondary)
    edges.push({ from: 'dns', to: 's_api', label: `SECONDARY${checked(rec.secondary)}`, kind: 'traffic' });
  if (f.aurora.primaryMember && f.aurora.secondaryMember) {
    edges.push({
      from: 'p_db',
      to: 's_db',
      label: `global database${f.aurora.rpoBoundSeconds ? `, rds.global_db_rpo=${f.aurora.rpoBoundSeconds}s` : ''}`,
      kind: 'replication',
    });
  }
  if (f.dynamodb.length > 0 && f.dynamodb.every((t) => t.replicated)) {
    const strong = f.dynamodb.filter((t) => t.strong).length;
    edges.push({
      from: 'p_ddb',
      to: 's_ddb',
      label:
        strong > 0 ? 'global tables (both ways; MRSC: quorum with a witness)' : 'global tables (both ways)',
      kind: 'replication',
    });
  }
  if (f.s3.replicated) {
    edges.push({
      from: 'p_s3',
      to: 's_s3',
      label: f.s3.rtcMinutes ? `CRR, RTC ${f.s3.rtcMinutes} min` : 'CRR (no RTC)',
      kind: 'replication',
    });
    edges.push({ from: 's_s3', to: 'p_s3', label: 'CRR back (failback)', kind: 'replication' });
  }
  for (const d of f.detection.detectors) {
    const id = `det_${d.region.replace(/-/g, '_')}`;
    edges.push({ from: id, to: 'p_api', label: `probes ${primary} /health/probe (SigV4)`, kind: 'control' });
    if (nodes.some((n) => n.id === 'agree'))
      edges.push({ from: id, to: 'agree', label: `PrimaryFailed (Vantage=${d.region})`, kind: 'control' });
  }
  if (e.plan) {
    if (nodes.some((n) => n.id === 'agree') && e.plan.trigger)
      edges.push({
        from: 'agree',
        to: 'plan',
        label: 'trigger: red (and secondary healthy)',
        kind: 'control',
      });
    if (nodes.some((n) => n.id === 's_fence'))
      edges.push({ from: 'plan', to: 's_fence', label: 'step: write fence', kind: 'control' });
    if (e.database)
      edges.push({
        from: 'plan',
        to: 's_db',
        label: `step: Aurora ${e.database.ungraceful === 'failover' ? 'failover (ungraceful) / switchover' : 'switchover'}`,
        kind: 'control',
      });
    if (e.dns)
      edges.push({ from: 'plan', to: 'dns', label: 'step: sets the health checks', kind: 'control' });
  }
  const subscription = values(p, 'interconnect', 'aws_sns_topic_subscription').find(
    (x) => x.protocol === 'lambda',
  );
  if (subscription && nodes.some((n) => n.id === 'relay')) {
    edges.push({ from: 'p_sns', to: 'relay', label: 'alerts (subscription)', kind: 'control' });
    edges.push({ from: 'relay', to: 's_sns', label: 'republishes', kind: 'control' });
  }
  return { nodes, edges, regions: { primary, secondary } };
}

const STYLE: Record<DiagramEdge['kind'], { mermaid: string; dot: string }> = {
  traffic: { mermaid: '-->', dot: 'color="#1f6feb"' },
  replication: { mermaid: '==>', dot: 'color="#1a7f37", penwidth=2' },
  control: { mermaid: '-.->', dot: 'color="#cf222e", style=dashed' },
};

export function toMermaid(d: Diagram): string {
  const lines = ['%% Generated by `npm run diagram` from cdktf.out/ — do not edit by hand.', 'flowchart LR'];
  for (const [group, title] of [
    ['global', 'Global (Route 53, KMS)'],
    [d.regions.primary, `${d.regions.primary} (primary)`],
    [d.regions.secondary, `${d.regions.secondary} (secondary)`],
  ] as const) {
    lines.push(`  subgraph ${group.replace(/-/g, '_')}["${title}"]`);
    for (const n of d.nodes.filter((x) => x.group === group))
      lines.push(`    ${n.id}["${n.label.replace(/\\n/g, '<br/>')}"]`);
    lines.push('  end');
  }
  for (const e of d.edges) lines.push(`  ${e.from} ${STYLE[e.kind].mermaid}|${e.label}| ${e.to}`);
  return `${lines.join('\n')}\n`;
}

export function toDot(d: Diagram): string {
  const lines = [
    '// Generated by `npm run diagram` from cdktf.out/ — do not edit by hand.',
    'digraph payments_dr {',
    '  rankdir=TB; newrank=true; fontname="Helvetica"; node [shape=box, style="rounded,filled", fillcolor="#f6f8fa", fontname="Helvetica", fontsize=10]; edge [fontname="Helvetica", fontsize=9];',
  ];
  for (const [group, title] of [
    [d.regions.primary, `${d.regions.primary} (primary)`],
    ['global', 'Global'],
    [d.regions.secondary, `${d.regions.secondary} (secondary)`],
  ] as const) {
    lines.push(`  subgraph "cluster_${group}" { label="${title}"; style=rounded;`);
    for (const n of d.nodes.filter((x) => x.group === group)) lines.push(`    ${n.id} [label="${n.label}"];`);
    lines.push('  }');
  }
  for (const e of d.edges) lines.push(`  ${e.from} -> ${e.to} [label="${e.label}", ${STYLE[e.kind].dot}];`);
  lines.push(
    '  legend [shape=note, fillcolor="#ffffff", label="blue: requests\\ngreen: data replication\\nred dashed: failover control"];',
    '}',
  );
  return `${lines.join('\n')}\n`;
}
