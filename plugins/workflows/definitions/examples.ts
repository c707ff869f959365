/**
 * The seed's example workflows, seeded once per team (isTemplate: true) the first time the team
 * reads its workflows, never re-versioned afterwards. Fixed against the seed: templates read
 * `{{inputs.x}}` (the seed's `{{feature}}` always resolved to ''); the parallel fan-out is plain
 * dependsOn (no no-op `parallel` step); the branches read a checkpoint step that really waits for
 * its decision (accepted: execute; rejected: report).
 */
export const exampleWorkflows: readonly { name: string; description: string; definition: unknown }[] = [
  {
    name: 'feature-branch',
    description: 'Scout the code, implement the feature, hand a checkpoint to the lead',
    definition: {
      inputs: { feature: { type: 'string', required: true, description: 'What to build' } },
      steps: [
        {
          key: 'scout',
          name: 'Scout',
          type: 'spawn',
          config: { prompt: 'Analyze the codebase for implementing {{inputs.feature}}; report the files to change.' },
        },
        {
          key: 'implement',
          name: 'Implement',
          type: 'spawn',
          dependsOn: ['scout'],
          config: { prompt: 'Implement {{inputs.feature}}. The scout found: {{steps.scout.output.result}}' },
        },
        {
          key: 'handoff',
          name: 'Checkpoint to the lead',
          type: 'checkpoint',
          dependsOn: ['implement'],
          config: { goal: 'Review the implementation of {{inputs.feature}}', toHandle: '@lead' },
        },
      ],
    },
  },
  {
    name: 'parallel-test',
    description: 'Set up, run unit, integration and e2e test tasks in parallel, then aggregate',
    definition: {
      inputs: { target: { type: 'string', required: false, default: '.', description: 'What to test' } },
      steps: [
        {
          key: 'setup',
          name: 'Setup',
          type: 'task',
          config: { title: 'Prepare the test environment for {{inputs.target}}' },
        },
        {
          key: 'unit',
          name: 'Unit tests',
          type: 'task',
          dependsOn: ['setup'],
          config: { title: 'Run the unit tests of {{inputs.target}}' },
        },
        {
          key: 'integration',
          name: 'Integration tests',
          type: 'task',
          dependsOn: ['setup'],
          config: { title: 'Run the integration tests of {{inputs.target}}' },
        },
        {
          key: 'e2e',
          name: 'E2E tests',
          type: 'task',
          dependsOn: ['setup'],
          config: { title: 'Run the e2e tests of {{inputs.target}}' },
        },
        {
          key: 'aggregate',
          name: 'Aggregate',
          type: 'task',
          dependsOn: ['unit', 'integration', 'e2e'],
          config: { title: 'Aggregate the test results of {{inputs.target}}' },
        },
      ],
    },
  },
  {
    name: 'checkpoint-gate',
    description: 'Prepare, ask for approval through a checkpoint, then execute or reject on the decision',
    definition: {
      inputs: { action: { type: 'string', required: true, description: 'What needs approval' } },
      steps: [
        { key: 'prepare', name: 'Prepare', type: 'task', config: { title: 'Prepare {{inputs.action}}' } },
        {
          key: 'approval',
          name: 'Approval',
          type: 'checkpoint',
          dependsOn: ['prepare'],
          config: { goal: 'Approve {{inputs.action}}', toHandle: '@lead', waitForAcceptance: true },
          // A rejection fails this step; continue lets the two branches below decide on its status.
          onFailure: 'continue',
        },
        {
          key: 'execute',
          name: 'Execute',
          type: 'task',
          dependsOn: ['approval'],
          guard: { type: 'expression', condition: "steps.approval.status === 'succeeded'" },
          config: { title: 'Execute {{inputs.action}}' },
        },
        {
          key: 'reject',
          name: 'Report the rejection',
          type: 'task',
          dependsOn: ['approval'],
          guard: { type: 'expression', condition: "steps.approval.status === 'failed'" },
          config: { title: 'Report that {{inputs.action}} was rejected' },
        },
      ],
    },
  },
];
