// The retention periods CloudWatch Logs accepts: public API of @berth/cluster before it moved to @berth/core.
export { LOG_RETENTION_DAYS } from "@berth/core";
export * from "./cluster.js";
export * from "./load-balancer.js";
export * from "./refs.js";
export * from "./service/index.js";
export * from "./service.js";
