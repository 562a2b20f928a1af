export * from './schema';
export * from './load';
export * from './warnings';
export * from './engine-versions';
