/**
 * A strict evaluator of the DynamoDB expression subset the project's code writes, for the MRSC test double
 * (mrsc-double.ts). Anything outside the subset is a ValidationException, never silently accepted:
 * - conditions: `attribute_exists(p)`, `attribute_not_exists(p)`, `a <op> b` with `= <> < <= > >=`, `AND`,
 *   `OR`, `NOT`, parentheses; operands are attribute names (`name`, `#placeholder`) or `:values`;
 * - updates: `SET a = :v, #b = :w` and `REMOVE a, #b` (no arithmetic, no list functions).
 * Names are top-level attributes only (no document paths), which is all the control table uses.
 */
export type Item = Record<string, unknown>;

export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationException';
  }
}

export interface ExpressionContext {
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

type Token = { kind: 'word' | 'op' | 'paren' | 'comma'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(<>|<=|>=|=|<|>)|([()])|(,)|([#:]?[A-Za-z_][A-Za-z0-9_]*))/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    m = re.exec(text);
    if (!m || m[0].length === 0) {
      if (text.slice(at).trim() === '') break;
      throw new ExpressionError(`unsupported expression syntax near "${text.slice(at)}"`);
    }
    at = re.lastIndex;
    if (m[1]) tokens.push({ kind: 'op', text: m[1] });
    else if (m[2]) tokens.push({ kind: 'paren', text: m[2] });
    else if (m[3]) tokens.push({ kind: 'comma', text: ',' });
    else if (m[4]) tokens.push({ kind: 'word', text: m[4] });
  }
  return tokens;
}

function attributeName(token: string, ctx: ExpressionContext): string {
  if (token.startsWith('#')) {
    const name = ctx.names?.[token];
    if (name === undefined) throw new ExpressionError(`undefined attribute name placeholder ${token}`);
    return name;
  }
  if (token.startsWith(':')) throw new ExpressionError(`${token} is a value, not an attribute name`);
  return token;
}

function operand(token: string, item: Item | undefined, ctx: ExpressionContext): unknown {
  if (token.startsWith(':')) {
    if (!ctx.values || !(token in ctx.values))
      throw new ExpressionError(`undefined expression attribute value ${token}`);
    return ctx.values[token];
  }
  return item?.[attributeName(token, ctx)];
}

function compare(op: string, a: unknown, b: unknown): boolean {
  // DynamoDB compares only values of one type; a missing attribute makes every comparison false.
  if (a === undefined || b === undefined) return false;
  if (op === '=') return JSON.stringify(a) === JSON.stringify(b);
  if (op === '<>') return JSON.stringify(a) !== JSON.stringify(b);
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
  const x = a as number | string;
  const y = b as number | string;
  if (op === '<') return x < y;
  if (op === '<=') return x <= y;
  if (op === '>') return x > y;
  if (op === '>=') return x >= y;
  throw new ExpressionError(`unsupported comparator ${op}`);
}

/** Evaluates a condition expression against `item` (undefined: the item does not exist). */
export function evaluateCondition(
  expression: string,
  item: Item | undefined,
  ctx: ExpressionContext,
): boolean {
  const tokens = tokenize(expression);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => {
    const t = tokens[i++];
    if (!t) throw new ExpressionError(`unexpected end of condition "${expression}"`);
    return t;
  };
  const keyword = (word: string) => peek()?.kind === 'word' && peek()?.text.toUpperCase() === word;

  const primary = (): boolean => {
    if (keyword('NOT')) {
      next();
      return !primary();
    }
    const t = next();
    if (t.kind === 'paren' && t.text === '(') {
      const value = or();
      if (next().text !== ')') throw new ExpressionError(`missing ) in "${expression}"`);
      return value;
    }
    if (t.kind !== 'word') throw new ExpressionError(`unexpected ${t.text} in "${expression}"`);
    if (t.text === 'attribute_exists' || t.text === 'attribute_not_exists') {
      if (next().text !== '(') throw new ExpressionError(`${t.text} needs (`);
      const name = attributeName(next().text, ctx);
      if (next().text !== ')') throw new ExpressionError(`${t.text} takes one attribute`);
      const exists = item !== undefined && item[name] !== undefined;
      return t.text === 'attribute_exists' ? exists : !exists;
    }
    const op = next();
    if (op.kind !== 'op') throw new ExpressionError(`unsupported condition near ${t.text} ${op.text}`);
    const right = next();
    if (right.kind !== 'word') throw new ExpressionError(`unsupported operand ${right.text}`);
    return compare(op.text, operand(t.text, item, ctx), operand(right.text, item, ctx));
  };
  const and = (): boolean => {
    let value = primary();
    while (keyword('AND')) {
      next();
      const rhs = primary();
      value = value && rhs;
    }
    return value;
  };
  const or = (): boolean => {
    let value = and();
    while (keyword('OR')) {
      next();
      const rhs = and();
      value = value || rhs;
    }
    return value;
  };
  const result = or();
  if (i !== tokens.length) throw new ExpressionError(`trailing tokens in "${expression}"`);
  return result;
}

/** Applies a SET/REMOVE update expression to a copy of `item` (created when it does not exist). */
export function applyUpdate(
  expression: string,
  item: Item | undefined,
  key: Item,
  ctx: ExpressionContext,
): Item {
  const out: Item = { ...(item ?? key) };
  const tokens = tokenize(expression);
  let i = 0;
  while (i < tokens.length) {
    const clause = tokens[i++]?.text.toUpperCase();
    if (clause !== 'SET' && clause !== 'REMOVE')
      throw new ExpressionError(`unsupported update clause ${clause ?? ''}`);
    for (;;) {
      const nameToken = tokens[i++];
      if (!nameToken || nameToken.kind !== 'word') throw new ExpressionError('update needs an attribute');
      const name = attributeName(nameToken.text, ctx);
      if (name in key) throw new ExpressionError(`cannot update key attribute ${name}`);
      if (clause === 'SET') {
        if (tokens[i++]?.text !== '=') throw new ExpressionError('SET needs =');
        const valueToken = tokens[i++];
        if (!valueToken?.text.startsWith(':'))
          throw new ExpressionError('only SET name = :value is modelled (no arithmetic or functions)');
        out[name] = structuredClone(operand(valueToken.text, undefined, ctx));
      } else {
        delete out[name];
      }
      if (tokens[i]?.kind !== 'comma') break;
      i++;
    }
  }
  return out;
}
