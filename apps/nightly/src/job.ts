// Container entry point: `node dist/job.js`. Runs once and exits with the job's code.
import { run } from "./main";

// A bounded job; SIGTERM (ECS stopping the task at the schedule's timeout) just ends it: the run is
// pure (it writes nothing but its log), so there is nothing to clean up and the default exit is right.
void run().then((code) => {
  process.exitCode = code;
});
