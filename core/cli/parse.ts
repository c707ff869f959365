import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with --help built in and its errors turned into usage errors. */
export function parseCommand<O extends Options>(args: string[], options: O, help: string, allowPositionals = false) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals,
      strict: true,
    });
  } catch (error) {
    throw usageError(`${(error as Error).message.split('\n')[0]}; see --help`);
  }
  if ((parsed.values as Record<string, unknown>).help) {
    process.stdout.write(help.trim() + '\n');
    return undefined;
  }
  return parsed as {
    values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };
    positionals: string[];
  };
}
