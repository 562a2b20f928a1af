import { REGION_CODES, type Region } from './config';

export const PROJECT_PREFIX = 'payment-processing';

/**
 * The one naming scheme of the project: `payment-processing-<resource>-<suffix>`, plus a short region code
 * where a name must be unique per region within one account (IAM roles, buckets, regional copies).
 * Cross-stack wiring uses these deterministic names instead of reading another stack's state.
 */
export class Naming {
  constructor(readonly suffix: string) {}

  /** `payment-processing-<resource>-<suffix>` */
  name(resource: string): string {
    return `${PROJECT_PREFIX}-${resource}-${this.suffix}`;
  }

  /** `payment-processing-<resource>-<suffix>-<regioncode>` for names that must differ per region. */
  regional(resource: string, region: Region): string {
    return `${this.name(resource)}-${REGION_CODES[region]}`;
  }

  /** KMS alias names carry the same scheme. */
  alias(resource: string): string {
    return `alias/${this.name(resource)}`;
  }
}
