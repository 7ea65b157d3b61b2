export {
  type BucketEncryption,
  type PrivateBucketControls,
  type PrivateBucketControlsArgs,
  privateBucketControls,
} from "./bucket-controls.js";
export { QUEUE_ACTIONS, QUEUE_LIMITS, Queue, type QueueAccess, type QueueArgs } from "./queue.js";
