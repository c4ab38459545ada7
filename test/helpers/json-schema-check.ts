// A small JSON Schema checker for the subset the pinned Kubernetes schema uses (fixtures/k8s):
// $ref (#/definitions/…), type, enum, properties, required, additionalProperties (false or a
// schema), items, minItems, minimum, maximum, pattern, oneOf. Returns every violation with its path.
type Schema = Record<string, unknown>;

export interface SchemaIssue {
  readonly path: string;
  readonly message: string;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export function checkSchema(root: Schema, value: unknown): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const resolve = (schema: Schema): Schema => {
    const ref = schema.$ref;
    if (typeof ref !== 'string') return schema;
    const name = ref.replace(/^#\/definitions\//, '');
    const target = (root.definitions as Record<string, Schema> | undefined)?.[name];
    if (target === undefined) throw new Error(`schema: unresolved $ref ${ref}`);
    return resolve(target);
  };
  const visit = (raw: Schema, v: unknown, path: string, out: SchemaIssue[]): void => {
    const schema = resolve(raw);
    if (Array.isArray(schema.oneOf)) {
      const passing = (schema.oneOf as Schema[]).filter((s) => {
        const sub: SchemaIssue[] = [];
        visit(s, v, path, sub);
        return sub.length === 0;
      });
      if (passing.length !== 1)
        out.push({ path, message: `must match exactly one alternative (matched ${passing.length})` });
      return;
    }
    if (Array.isArray(schema.enum) && !schema.enum.includes(v)) {
      out.push({ path, message: `must be one of ${JSON.stringify(schema.enum)} (got ${JSON.stringify(v)})` });
      return;
    }
    const t = typeOf(v);
    if (typeof schema.type === 'string') {
      const ok = schema.type === t || (schema.type === 'number' && t === 'integer');
      if (!ok) {
        out.push({ path, message: `must be ${schema.type} (got ${t})` });
        return;
      }
    }
    if (typeof v === 'number') {
      if (typeof schema.minimum === 'number' && v < schema.minimum)
        out.push({ path, message: `must be ≥ ${schema.minimum}` });
      if (typeof schema.maximum === 'number' && v > schema.maximum)
        out.push({ path, message: `must be ≤ ${schema.maximum}` });
    }
    if (typeof v === 'string' && typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(v))
      out.push({ path, message: `must match ${schema.pattern} (got "${v}")` });
    if (t === 'array') {
      const items = v as unknown[];
      if (typeof schema.minItems === 'number' && items.length < schema.minItems)
        out.push({ path, message: `must have at least ${schema.minItems} items` });
      if (schema.items !== undefined)
        items.forEach((item, i) => visit(schema.items as Schema, item, `${path}[${i}]`, out));
    }
    if (t === 'object') {
      const obj = v as Record<string, unknown>;
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      for (const key of (schema.required ?? []) as string[])
        if (obj[key] === undefined) out.push({ path: `${path}.${key}`, message: 'is required' });
      for (const [key, item] of Object.entries(obj)) {
        const p = `${path}.${key}`;
        if (properties[key] !== undefined) visit(properties[key], item, p, out);
        else if (schema.additionalProperties === false) out.push({ path: p, message: 'is not allowed' });
        else if (typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null)
          visit(schema.additionalProperties as Schema, item, p, out);
      }
    }
  };
  visit(root, value, '$', issues);
  return issues;
}
