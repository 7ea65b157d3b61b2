// The workspace's shared vitest settings (../../vitest.shared.mts says why).
export { default } from "../../vitest.shared.mts";
