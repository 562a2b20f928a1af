export * from './analyze';
export * from './facts';
export * from './render';
