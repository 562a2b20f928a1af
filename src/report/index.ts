export * from './analyze';
export * from './facts';
export { mergePolicy, policyNumbers } from './policy';
export * from './render';
