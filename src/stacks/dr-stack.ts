import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { relative, resolve } from 'node:path';
import { App, LocalBackend, S3Backend, TerraformStack } from 'cdktn';
import type { Construct } from 'constructs';
import { type Config, type Region, REGION_CODES } from '../config';
import { type ResourceNames, resourceNames } from '../resource-names';

export type DrRole = 'global' | 'primary' | 'secondary' | 'interconnect' | 'failover';

export interface DrStackProps {
  config: Config;
  role: DrRole;
  /** Region whose state bucket holds this stack's state: the region the stack must stay manageable from. */
  stateRegion: Region;
}

/**
 * The `required_version` every stack declares in its own cdk.tf.json: ephemeral resources and write-only
 * attributes (the database password never reaches state) need Terraform / OpenTofu 1.11. Inside the stack's JSON,
 * an older binary stops at `terraform init` with "Unsupported Terraform Core version" naming this constraint,
 * instead of failing later on an unknown block or attribute.
 */
export const REQUIRED_TERRAFORM_VERSION = '>= 1.11.0';

/** Folder (relative to the working directory of synth) of the local Terraform state files. */
export const LOCAL_STATE_DIR = 'terraform-state';

/** Tags every resource carries, through provider default tags (never per resource). */
export function defaultTags(config: Config, role: DrRole, region: Region): Record<string, string> {
  return {
    ...config.tags,
    Environment: config.environmentSuffix,
    Purpose: 'payment-processing-dr',
    'DR-Role': role,
    Region: region,
  };
}

/**
 * Base of every stack: one state per failure domain (local by default, S3 in `stateRegion` when configured)
 * and helpers to create one AWS provider per region with the project's default tags.
 */
export abstract class DrStack extends TerraformStack {
  readonly config: Config;
  /** Every cross-stack and operator-visible name of this environment. */
  readonly names: ResourceNames;
  readonly role: DrRole;
  private readonly providers = new Map<Region, AwsProvider>();

  protected constructor(scope: Construct, id: string, props: DrStackProps) {
    super(scope, id);
    this.config = props.config;
    this.role = props.role;
    this.names = resourceNames(props.config);
    this.addOverride('terraform.required_version', REQUIRED_TERRAFORM_VERSION);
    const backend = props.config.backend;
    if (backend.type === 's3') {
      const kmsKeyId = backend.kmsKeyIds[props.stateRegion];
      new S3Backend(this, {
        bucket: `${backend.bucketPrefix}-${REGION_CODES[props.stateRegion]}`,
        key: `${backend.keyPrefix}/${props.config.environmentSuffix}/${id}.tfstate`,
        region: props.stateRegion,
        encrypt: true,
        useLockfile: backend.useLockfile,
        ...(kmsKeyId ? { kmsKeyId } : {}),
      });
    } else {
      // Local state lives in terraform-state/ beside cdktf.out/, never inside it: synth replaces the stack
      // folders, and a state file there would be deleted with them. The path is relative to the stack folder
      // Terraform runs in, so the synthesized JSON is the same on every machine.
      const stackDir = resolve(App.of(this).outdir, 'stacks', id);
      new LocalBackend(this, { path: relative(stackDir, resolve(LOCAL_STATE_DIR, `${id}.tfstate`)) });
    }
  }

  /** The AWS provider for `region` (created once per stack; the first one created is the default). */
  provider(region: Region): AwsProvider {
    let p = this.providers.get(region);
    if (!p) {
      p = new AwsProvider(this, `aws-${REGION_CODES[region]}`, {
        region,
        alias: this.providers.size === 0 ? undefined : REGION_CODES[region],
        defaultTags: [{ tags: defaultTags(this.config, this.role, region) }],
      });
      this.providers.set(region, p);
    }
    return p;
  }
}
