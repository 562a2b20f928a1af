/**
 * Kept only for test/docs/numbers.test.ts (outside the report's folder), which still imports `completePlan`.
 * The detection and health slices this file once patched into the plan are on main: the synthesized plan has
 * every piece, so `completePlan` is the synthesized plan. New tests use ./real-plan; delete this file once
 * test/docs imports `synthesizedPlan` from there.
 */
export { synthesizedPlan as completePlan } from './real-plan';
