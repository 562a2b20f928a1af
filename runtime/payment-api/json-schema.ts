import * as z from 'zod/mini';
import { healthBodySchema, probeBodySchema } from '../health/app';
import { errorBodySchema } from '../shared/http';
import { paymentResourceSchema } from './resource';
import { paymentRequestSchema } from './schema';

/**
 * The payment request (and responses) as JSON Schema, for the API Gateway model and the published OpenAPI
 * document. Used at synth time only (src/api/openapi.ts):
 * the Lambda imports schema.ts, never this file, so the JSON Schema generator stays out of its bundle.
 * A JSON Schema document: plain JSON values only.
 */
export type JsonSchema = { [key: string]: JsonValue };
type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Keywords of JSON Schema draft 4 that API Gateway models support and that this schema may use. */
export const DRAFT4_KEYWORDS: ReadonlySet<string> = new Set([
  '$schema',
  'title',
  'description',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'enum',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
]);

function assertDraft4(node: JsonValue, path: string): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => assertDraft4(item, `${path}[${i}]`));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (!DRAFT4_KEYWORDS.has(key)) throw new Error(`JSON Schema keyword "${key}" at ${path} is not draft-04`);
    if (key === 'properties') {
      for (const [prop, schema] of Object.entries(value as Record<string, JsonValue>)) {
        assertDraft4(schema, `${path}.properties.${prop}`);
      }
    } else if (key !== 'enum' && key !== 'required') {
      assertDraft4(value, `${path}.${key}`);
    }
  }
}

/**
 * Draft-04 JSON Schema of a payment request, for an API Gateway model (embedded in the OpenAPI document).
 * zod 4 emits draft-04 natively (`exclusiveMinimum` as a boolean, `additionalProperties: false` for strict
 * objects); the result is checked to use only draft-04 keywords and given a title. Note: `maxLength` counts
 * code points in JSON Schema and UTF-16 units in JavaScript, so for text outside the Basic Multilingual
 * Plane the Lambda is the stricter of the two.
 */
function buildJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(paymentRequestSchema, { target: 'draft-04', io: 'input' }) as JsonSchema;
  const schema: JsonSchema = { ...generated, title: 'PaymentRequest' };
  assertDraft4(schema, '$');
  return schema;
}

export const paymentRequestJsonSchema: JsonSchema = buildJsonSchema();

/**
 * The response bodies as OpenAPI 3.0 schema objects, for the published document (docs/openapi.json) only: API
 * Gateway ignores method response models under a Lambda proxy integration, and OpenAPI-only keywords
 * (`nullable`, `format`) have no place in its draft-04 models.
 */
export const responseJsonSchemas: Record<'Payment' | 'Health' | 'HealthProbe' | 'Error', JsonSchema> = {
  Payment: {
    ...(z.toJSONSchema(paymentResourceSchema, { target: 'openapi-3.0', io: 'output' }) as JsonSchema),
    title: 'Payment',
  },
  Health: {
    ...(z.toJSONSchema(healthBodySchema, { target: 'openapi-3.0', io: 'output' }) as JsonSchema),
    title: 'Health',
  },
  HealthProbe: {
    ...(z.toJSONSchema(probeBodySchema, { target: 'openapi-3.0', io: 'output' }) as JsonSchema),
    title: 'HealthProbe',
  },
  Error: {
    ...(z.toJSONSchema(errorBodySchema, { target: 'openapi-3.0', io: 'output' }) as JsonSchema),
    title: 'Error',
  },
};
