export type { NetworkRef } from "@berth/core";
export {
  endpointServiceName,
  FARGATE_ENDPOINTS,
  INTERFACE_ENDPOINT_NAMES,
  type InterfaceEndpointName,
} from "./endpoints.js";
export {
  type AwsxSubnetSpec,
  type NetworkLayout,
  type PlannedSubnet,
  SUBNET_TIERS,
  type SubnetStrategy,
  type SubnetsArgs,
  type SubnetTier,
  type SubnetTierArgs,
} from "./layout.js";
export { NAT_INSTANCE_AMI, NAT_INSTANCE_TYPE, natInstanceUserData } from "./nat-instance.js";
export {
  type AdoptNetworkArgs,
  type FlowLogsArgs,
  NAT_MODES,
  type NatInstanceArgs,
  type NatMode,
  NETWORK_TYPE,
  Network,
  type NetworkArgs,
  type NetworkOutputs,
  type NetworkTransforms,
} from "./network.js";
