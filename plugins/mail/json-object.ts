import * as v from 'valibot';

/**
 * A JSON object (metadata, handoff context). `v.record` alone takes an array and turns it into
 * `{"0": ...}`; this refuses arrays, null and scalars first, naming the field like any other error.
 */
export const jsonObject = (message = 'must be an object') =>
  v.pipe(
    v.unknown(),
    v.check((value) => typeof value === 'object' && value !== null && !Array.isArray(value), message),
    v.record(v.string(), v.unknown(), message),
  );
