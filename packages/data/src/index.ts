export { QUEUE_ACTIONS, QUEUE_LIMITS, Queue, type QueueAccess, type QueueArgs } from "./queue.js";
