// The parts a kind combines, and the kinds.
export * from "./ecs-service.js";
export * from "./exposure/alb-route.js";
export * from "./exposure/queue-trigger.js";
export * from "./exposure/schedule.js";
export * from "./exposure/service-connect.js";
export * from "./kinds/compose.js";
export * from "./kinds/internal.js";
export * from "./kinds/job.js";
export * from "./kinds/web.js";
export * from "./kinds/worker.js";
export * from "./links.js";
export * from "./observability.js";
export * from "./placement.js";
export * from "./rollout.js";
export * from "./scaling.js";
export type { PartScope, TaskContribution } from "./scope.js";
export * from "./task.js";
