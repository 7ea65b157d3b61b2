import { type ProgramRunOptions, runProgramInProcess } from "./engine.js";

// Child-process entry of `runProgram`: runs the programs it is sent, one at a time, and answers
// each with its record. It ends with its parent.
process.on("message", async (opts: ProgramRunOptions) => {
  const record = await runProgramInProcess(opts);
  process.send?.(record);
});
process.on("disconnect", () => process.exit(0));
