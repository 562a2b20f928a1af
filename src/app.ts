import { App } from 'cdktn';
import type { Config } from './config';
import { bundleAll } from './bundling/bundle';
import type { LambdaBundles } from './bundling/functions';
import { FailoverStack } from './stacks/failover-stack';
import { GlobalStack } from './stacks/global-stack';
import { InterconnectStack } from './stacks/interconnect-stack';
import { RegionalStack } from './stacks/regional-stack';

/**
 * Oldest Terraform / OpenTofu the synthesized JSON is valid for (cdktn's context; each stack also declares it as
 * `required_version`, see dr-stack.ts): ephemeral resources and write-only attributes (the database password never
 * reaches state) need 1.11.
 */
export const TARGET_VERSIONS = { terraform: '>=1.11.0', opentofu: '>=1.11.0' } as const;

/** Stack ids, in the order they are applied (destroy in reverse). */
export const STACK_ORDER = ['global', 'primary', 'secondary', 'interconnect', 'failover'] as const;
export type StackId = (typeof STACK_ORDER)[number];

export interface DrApp {
  app: App;
  global: GlobalStack;
  primary: RegionalStack;
  secondary: RegionalStack;
  interconnect: InterconnectStack;
  failover: FailoverStack;
}

export interface BuildOptions {
  outdir?: string;
  /** Prebuilt Lambda bundles; built from runtime/ when omitted. */
  bundles?: LambdaBundles;
}

/** Builds the whole disaster-recovery architecture from one validated configuration. */
export function buildApp(config: Config, options: BuildOptions = {}): DrApp {
  // cdktn records a stack trace for every token it creates, only to name the creation site when the token
  // fails to resolve; the output is the same without them, and synth is about a quarter faster. Set the
  // variable to 0 to get the traces back when debugging such an error.
  process.env.CDKTN_DISABLE_CREATION_STACK ??= '1';
  const outdir = options.outdir ?? 'cdktf.out';
  const bundles = options.bundles ?? bundleAll();
  const app = new App({ outdir, skipValidation: false, context: { targetVersions: TARGET_VERSIONS } });
  const global = new GlobalStack(app, 'global', config);
  const primary = new RegionalStack(app, 'primary', config, 'primary', bundles);
  const secondary = new RegionalStack(app, 'secondary', config, 'secondary', bundles);
  const interconnect = new InterconnectStack(app, 'interconnect', config);
  const failover = new FailoverStack(app, 'failover', config, bundles);
  // Apply order only (no values flow between stacks: they meet through deterministic names).
  primary.addDependency(global);
  secondary.addDependency(primary);
  interconnect.addDependency(secondary);
  // Last: the plan names both regions' clusters and fence functions, and the records alias both API domains.
  failover.addDependency(interconnect);
  return { app, global, primary, secondary, interconnect, failover };
}
