import { endOfStandardSupport, engineMajor, SUPPORT_WARNING_DAYS } from './engine-versions';
import { CANARY_MERCHANT_ID } from '../../runtime/payment-api/merchants';
import { isExampleDns } from './load';
import type { Config } from './schema';

/**
 * What a valid configuration still gets wrong for a real deployment, said at every synth (bin/synth.ts prints each
 * on stderr, so it shows even when the cdktn CLI owns stdout):
 * - `warning`: what is synthesized would not do its job once applied (nobody is paged, a DNS zone that is not
 *   yours);
 * - `note`: a step outside Terraform that the first apply needs.
 */
export interface DeploymentWarning {
  id: string;
  level: 'warning' | 'note';
  message: string;
}

const DAY_MS = 24 * 3600 * 1000;

/** `today` is the date synth runs on (injected in tests). */
export function deploymentWarnings(config: Config, today: Date = new Date()): DeploymentWarning[] {
  const out: DeploymentWarning[] = [];
  const version = config.database.engineVersion;
  const eoss = endOfStandardSupport(version);
  if (eoss !== undefined) {
    const end = Date.parse(`${eoss}T00:00:00Z`);
    const major = engineMajor(version);
    if (today.getTime() >= end) {
      out.push({
        id: 'engine-end-of-support',
        level: 'warning',
        message: `database.engineVersion ${version}: Aurora PostgreSQL ${major} left standard support on ${eoss}; with RDS Extended Support disabled (engine_lifecycle_support) creating its clusters fails and AWS upgrades existing ones: choose a later major (docs/deploy.md, "Major version upgrade")`,
      });
    } else if (end - today.getTime() <= SUPPORT_WARNING_DAYS * DAY_MS) {
      out.push({
        id: 'engine-end-of-support',
        level: 'warning',
        message: `database.engineVersion ${version}: Aurora PostgreSQL ${major} leaves standard support on ${eoss}; from then on creating its clusters fails (RDS Extended Support is disabled) and AWS upgrades existing ones: plan the major upgrade (docs/deploy.md, "Major version upgrade")`,
      });
    }
  }
  if (isExampleDns(config)) {
    out.push({
      id: 'example-dns',
      level: 'warning',
      message: 'example DNS zone in use; set HOSTED_ZONE_NAME and HOSTED_ZONE_ID before deploying',
    });
  }
  if (config.alerts.emails.length === 0) {
    out.push({
      id: 'no-alert-subscription',
      level: 'warning',
      message:
        'no alert subscription: every alarm of both regions publishes to a topic nobody is subscribed to, so nobody is paged; set ALERT_EMAILS (or alerts.emails), or subscribe your paging system to both regions\u2019 alert topics',
    });
  }
  if (config.safety === 'production') {
    out.push({
      id: 'safety-production-key-admin',
      level: 'note',
      message: `safety "production": apply every stack as ${config.keyAdminRoleArn ?? 'keyAdminRoleArn'}, the only administrator of the keys and the receipts buckets' protection (docs/deploy.md, "Production safety profile")`,
    });
  }
  if (config.api.merchants.length === 0) {
    out.push({
      id: 'no-merchants',
      level: 'warning',
      message: `no merchants bound (api.merchants is empty): the REST API's resource policy denies the payment routes to every principal but the DR operator role (the drill's canary merchant ${CANARY_MERCHANT_ID}), so no merchant can pay; bind each merchant's IAM principal in api.merchants (docs/deploy.md, "Onboarding a merchant")`,
    });
  }
  if (!config.api.manageAccountCloudWatchRole) {
    out.push({
      id: 'apigateway-account-role',
      level: 'note',
      message:
        "API Gateway's CloudWatch role is an account setting this project leaves alone: run scripts/bootstrap-account.sh once per account before the first apply (docs/deploy.md, step 1b)",
    });
  }
  return out;
}

/** One line per warning, the way synth prints them. */
export const formatWarning = (w: DeploymentWarning): string =>
  `${w.level === 'warning' ? 'WARNING' : 'note'}: ${w.message}`;
