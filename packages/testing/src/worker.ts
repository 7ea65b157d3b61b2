import { type ProgramRunOptions, runProgramInProcess } from "./engine.js";

// Child-process entry of `runProgram`: one offline run per process.
process.once("message", async (opts: ProgramRunOptions) => {
  const record = await runProgramInProcess(opts);
  process.send?.(record, () => process.exit(0));
});
