import { describe, expect, it } from 'vitest';
import { STACK_ORDER, TARGET_VERSIONS } from '../../src/app';
import { REQUIRED_TERRAFORM_VERSION } from '../../src/stacks/dr-stack';
import { synthAll } from '../support/synth';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS CI script, tested as CI runs it
const { forCheckov } = require('../../scripts/checkov-input.cjs') as {
  forCheckov: (doc: unknown) => Record<string, unknown>;
};

describe('Terraform version constraint', () => {
  const s = synthAll();

  it.each(STACK_ORDER)('%s: declares required_version inside its own cdk.tf.json', (id) => {
    // Terraform reads it from the stack's configuration: an older binary refuses at init, naming the constraint.
    expect(s[id].terraform).toMatchObject({ required_version: '>= 1.11.0' });
    expect(REQUIRED_TERRAFORM_VERSION.replace(/\s/g, '')).toBe(TARGET_VERSIONS.terraform);
    expect(REQUIRED_TERRAFORM_VERSION.replace(/\s/g, '')).toBe(TARGET_VERSIONS.opentofu);
  });

  it('hands checkov every stack unchanged except that one key, which its JSON parser cannot read', () => {
    for (const id of STACK_ORDER) {
      const before = JSON.stringify(s[id]);
      const copy = forCheckov(s[id]);
      expect(JSON.stringify(s[id]), id).toBe(before);
      const expected = JSON.parse(before) as { terraform: Record<string, unknown> };
      delete expected.terraform.required_version;
      expect(copy, id).toEqual(expected);
      expect(Object.keys(copy.resource as object).length, id).toBeGreaterThan(0);
    }
  });
});
