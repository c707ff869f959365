/**
 * What the tasks plugin needs from the workers plugin to dispatch a batch. The workers plugin's api
 * provides it; tasks lists workers in optionalDependsOn and reads `ctx.use('workers')` at call time,
 * so dispatch answers 409 while workers are off instead of tasks turning off.
 */
export interface WorkerInput {
  isLive(teamName: string, handle: string): Promise<boolean>;
  sendToWorker(teamName: string, handle: string, text: string): Promise<void>;
}
