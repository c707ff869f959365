import type { ParameterSpec } from './builtins.js';
import { templateErrors } from './errors.js';

function typeOf(value: unknown): ParameterSpec['type'] | 'null' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' || type === 'object' ? type : 'object';
}

const refuse = (name: string, message: string) =>
  templateErrors.WORKFLOWS_TEMPLATE_PARAMETER({ name, message }, { field: `parameters.${name}` });

/**
 * A run's parameters against the template's declarations: every required one given, each of its
 * declared type, none undeclared; defaults filled in. A 400 names `parameters.<name>`.
 */
export function checkParameters(
  declared: Record<string, ParameterSpec> | null,
  given: Record<string, unknown>,
): Record<string, unknown> {
  const specs = declared ?? {};
  for (const name of Object.keys(given))
    if (!Object.hasOwn(specs, name)) {
      const known = Object.keys(specs);
      throw refuse(name, `is not a parameter of this template (${known.length ? known.join(', ') : 'it takes none'})`);
    }
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const value = Object.hasOwn(given, name) ? given[name] : spec.default;
    if (value === undefined) {
      if (spec.required) throw refuse(name, 'is required');
      continue;
    }
    const type = typeOf(value);
    if (type !== spec.type)
      throw refuse(name, `must be a${spec.type === 'array' || spec.type === 'object' ? 'n' : ''} ${spec.type}`);
    if (spec.type === 'number' && !Number.isFinite(value)) throw refuse(name, 'must be a finite number');
    values[name] = value;
  }
  return values;
}

/** A declared default must be of its parameter's type (checked when the template is saved). */
export function checkDefaults(declared: Record<string, ParameterSpec> | undefined | null): void {
  for (const [name, spec] of Object.entries(declared ?? {})) {
    if (spec.default === undefined) continue;
    if (typeOf(spec.default) !== spec.type)
      throw templateErrors.WORKFLOWS_TEMPLATE_PARAMETER(
        { name, message: `default must be of type ${spec.type}` },
        { field: `parameters.${name}.default` },
      );
  }
}
