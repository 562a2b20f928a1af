import { describe, expect, it } from 'vitest';
import { fixedCosts, PRICES, renderCost } from '../../src/docs/cost';
import type { PlanStacks } from '../../src/report';
import { synthAll, testConfig } from '../support/synth';

const plan = (c = testConfig()): PlanStacks => JSON.parse(JSON.stringify(synthAll(c))) as PlanStacks;
const line = (p: PlanStacks, component: string) =>
  fixedCosts(p).find((x) => x.component.startsWith(component));

describe('cost estimate (from the synthesized resources)', () => {
  it('prices what is synthesized: 4 Serverless v2 instances at 0.5 ACU, 6 endpoint-AZs', () => {
    const p = plan();
    expect(line(p, 'Aurora')).toMatchObject({ quantity: '4 instances x 0.5 ACU minimum' });
    expect(line(p, 'Aurora')?.monthlyUsd).toBeCloseTo(4 * 0.5 * 730 * PRICES.auroraServerlessAcuHour, 5);
    expect(line(p, 'Interface VPC endpoints')?.monthlyUsd).toBeCloseTo(
      6 * 730 * PRICES.interfaceEndpointAzHour,
      5,
    );
  });

  it('follows the plan: two AZs and a higher minimum capacity change the numbers', () => {
    const p = plan(testConfig({ network: { azCount: 2 }, database: { minCapacityAcu: 1 } }));
    expect(line(p, 'Interface VPC endpoints')?.quantity).toBe('2 endpoints, 4 endpoint-AZs');
    expect(line(p, 'Aurora')?.quantity).toBe('4 instances x 1 ACU minimum');
  });

  it('renders a dated markdown estimate with totals and levers', () => {
    const md = renderCost(plan());
    expect(md).toMatch(/as recorded on \d{4}-\d{2}-\d{2}/);
    expect(md.match(/\| \*\*total\*\* \|/g)).toHaveLength(2);
    expect(md).toContain('## Cost levers');
  });
});
