/** Environment variables as a plain map, so every reader can be given a fake environment in tests. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The trimmed value of `name`, or undefined when it is unset or blank. */
export function optionalEnv(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function requireEnv(env: Env, name: string): string {
  const value = optionalEnv(env, name);
  if (value === undefined) throw new Error(`environment variable ${name} is required`);
  return value;
}

/** An integer variable with a default and inclusive bounds; a malformed value is a configuration error. */
export function intEnv(
  env: Env,
  name: string,
  fallback: number,
  bounds: { min: number; max: number },
): number {
  const raw = optionalEnv(env, name);
  if (raw === undefined) return fallback;
  return checkedInt(name, raw, bounds);
}

function checkedInt(name: string, raw: string, bounds: { min: number; max: number }): number {
  if (!/^\d+$/.test(raw)) throw new Error(`environment variable ${name} must be a non-negative integer`);
  const value = Number(raw);
  if (value < bounds.min || value > bounds.max) {
    throw new Error(`environment variable ${name} must be between ${bounds.min} and ${bounds.max}`);
  }
  return value;
}

/**
 * Environment contracts: one module per Lambda function declares each variable it reads once (name, type,
 * default, bounds), and from that one declaration the infrastructure renders the variables
 * (`contract.render`), the handler parses them (`contract.parse`), and the resilience report reads the
 * synthesized ones (`contract.read`). Cross-variable rules live in the function's own parse wrapper.
 *
 * - `required`: must be set; the infrastructure must render it.
 * - `optional`: has a default (or is truly optional); rendered only when given, or always when `pinned`
 *   (a value the deployment fixes explicitly, such as the timeouts the function timeouts are sized against).
 * - `provided`: set by the Lambda runtime (AWS_REGION) or by emulators only; parsed, never rendered.
 */
export type VarKind = 'required' | 'optional' | 'provided';

export interface EnvVar<T, K extends VarKind = VarKind> {
  readonly name: string;
  readonly kind: K;
  /** Written even when the settings leave the value at its default. */
  readonly pinned: boolean;
  readonly defaultValue: T | undefined;
  /** Parses the trimmed raw value (undefined when unset or blank); throws a one-line error naming the variable. */
  parse(raw: string | undefined): T;
  render(value: T): string;
}

type Bounds = { min: number; max: number };

function variable<T, K extends VarKind>(
  name: string,
  kind: K,
  parseSet: (raw: string) => T,
  fallback: (() => T) | undefined,
  options: { pinned?: boolean; defaultValue?: T } = {},
): EnvVar<T, K> {
  return {
    name,
    kind,
    pinned: options.pinned ?? false,
    defaultValue: options.defaultValue,
    parse: (raw) => {
      if (raw !== undefined) return parseSet(raw);
      if (fallback) return fallback();
      throw new Error(`environment variable ${name} is required`);
    },
    render: (value) => String(value),
  };
}

const asIs = (raw: string): string => raw;
const unset = (): undefined => undefined;

/** Builders of the variable kinds the functions use. */
export const envVar = {
  text: (name: string): EnvVar<string, 'required'> => variable(name, 'required', asIs, undefined),
  optionalText: (name: string): EnvVar<string | undefined, 'optional'> =>
    variable(name, 'optional', asIs, unset),
  textWithDefault: (name: string, value: string, o: { pinned?: boolean } = {}): EnvVar<string, 'optional'> =>
    variable(name, 'optional', asIs, () => value, { ...o, defaultValue: value }),
  int: (
    name: string,
    value: number,
    bounds: Bounds,
    o: { pinned?: boolean } = {},
  ): EnvVar<number, 'optional'> =>
    variable(
      name,
      'optional',
      (raw) => checkedInt(name, raw, bounds),
      () => value,
      { ...o, defaultValue: value },
    ),
  /** An integer whose default depends on other variables (computed by the function's parse). */
  optionalInt: (name: string, bounds: Bounds): EnvVar<number | undefined, 'optional'> =>
    variable(
      name,
      'optional',
      (raw) => checkedInt(name, raw, bounds),
      () => undefined,
    ),
  oneOf: <const V extends string>(
    name: string,
    values: readonly V[],
    value: V,
    o: { pinned?: boolean } = {},
  ): EnvVar<V, 'optional'> =>
    variable(
      name,
      'optional',
      (raw) => {
        if (!(values as readonly string[]).includes(raw))
          throw new Error(`environment variable ${name} must be ${values.join(' or ')}`);
        return raw as V;
      },
      () => value,
      { ...o, defaultValue: value },
    ),
  /** Set by the Lambda runtime; never rendered by the infrastructure. */
  provided: (name: string): EnvVar<string, 'provided'> => variable(name, 'provided', asIs, undefined),
  optionalProvided: (name: string): EnvVar<string | undefined, 'provided'> =>
    variable(name, 'provided', asIs, unset),
};

// `any` in the constraints below: the variables of one contract have different value types, and a
// constraint over all of them cannot be written without it (EnvVar is invariant in T).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyVar = EnvVar<any, VarKind>;
export type VarSpecs = Record<string, AnyVar>;

/** The parsed settings of a contract: one typed field per variable. */
export type Settings<S extends VarSpecs> = { -readonly [K in keyof S]: ReturnType<S[K]['parse']> };

type KeysOf<S extends VarSpecs, K extends VarKind> = {
  [P in keyof S]: S[P]['kind'] extends K ? P : never;
}[keyof S];

/** What the infrastructure gives `render`: every required variable, any optional one, no provided one. */
export type RenderInput<S extends VarSpecs> = { [P in KeysOf<S, 'required'>]: ReturnType<S[P]['parse']> } & {
  [P in KeysOf<S, 'optional'>]?: ReturnType<S[P]['parse']>;
};

/** One variable as the plan sets it: unset, a valid value, or why the function would refuse it. */
export type VarReading<T> = { set: false } | { set: true; value: T } | { set: true; error: string };

export interface EnvContract<S extends VarSpecs> {
  readonly vars: S;
  /** The variables the infrastructure sets (values rendered as strings; unset optional ones left out). */
  render(input: RenderInput<S>): Record<string, string>;
  /** Every variable parsed, defaults applied; throws a one-line error naming the first bad variable. */
  parseVars(env: Env): Settings<S>;
  /** One variable, without defaults: for readers of a synthesized plan that must not assume a default. */
  read<K extends keyof S>(env: Env, key: K): VarReading<ReturnType<S[K]['parse']>>;
}

export function defineEnv<S extends VarSpecs>(vars: S): EnvContract<S> {
  return {
    vars,
    render(input) {
      const out: Record<string, string> = {};
      const given = input as Record<string, unknown>;
      for (const [key, v] of Object.entries(vars)) {
        if (v.kind === 'provided') continue;
        const value = given[key] !== undefined ? given[key] : v.pinned ? v.defaultValue : undefined;
        if (value !== undefined) out[v.name] = v.render(value);
      }
      return out;
    },
    parseVars(env) {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(vars)) out[key] = v.parse(optionalEnv(env, v.name));
      return out as Settings<S>;
    },
    read(env, key) {
      const v = vars[key];
      const raw = optionalEnv(env, v.name);
      if (raw === undefined) return { set: false };
      try {
        return { set: true, value: v.parse(raw) as ReturnType<S[typeof key]['parse']> };
      } catch (err) {
        return { set: true, error: (err as Error).message };
      }
    },
  };
}
