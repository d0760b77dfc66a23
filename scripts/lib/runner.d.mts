// Types for runner.mjs (used from the TypeScript tests).
export declare const RUNNER_TOKEN: string
export declare function actionDefaults(actionYml: string): Record<string, string>
export declare function inputVariable(name: string): string
export interface RunnerFiles {
  output: string
  summary: string
  env: string
  path: string
  state: string
}
export declare function runnerEnv(args: {
  actionYml: string
  dir: string
  inputs?: Record<string, string>
  env?: Record<string, string>
  basePath?: string
}): { env: Record<string, string>; files: RunnerFiles }
export declare function parseOutputFile(text: string): Record<string, string>
export declare function runNode(args: { node?: string; entry: string; cwd: string; env: Record<string, string> }): Promise<{ code: number | null; stdout: string; stderr: string }>
