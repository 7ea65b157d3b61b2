export * from "./cluster.js";
export * from "./load-balancer.js";
export * from "./refs.js";
export * from "./service.js";
