/** An error the CLI reports as one line and a non-zero exit, without a stack. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Usage errors exit 2, as most Unix tools do. */
export const usageError = (message: string) => new CliError(message, 2);
