import type { RecordedResource, RunResult } from "@berth/testing";

export const VPC = "awsx:ec2:Vpc";
export const NETWORK = "berth:networking:Network";

export interface SynthSubnet {
  id: string;
  cidrBlock: string;
  availabilityZone: string;
  tags: { Name: string; SubnetType: string };
}

/** The awsx VPC's inputs as Berth passed them. */
export function vpcInputs(run: RunResult): Record<string, unknown> {
  return run.one(VPC).inputs;
}

/** The subnets the engine synthesized for the awsx VPC, keyed by their logical name. */
export function subnetsByName(run: RunResult): Record<string, string> {
  const subnets = run.one(VPC).outputs.subnets as SynthSubnet[];
  return Object.fromEntries(subnets.map((s) => [s.tags.Name, s.cidrBlock]));
}

export function vpcOutput<T>(run: RunResult, key: string): T {
  return run.one(VPC).outputs[key] as T;
}

/** The private route tables of the synthesized VPC, in zone order (through the associations). */
export function privateRouteTables(run: RunResult): string[] {
  const ids = vpcOutput<string[]>(run, "privateSubnetIds");
  const assoc = vpcOutput<{ subnetId: string; routeTableId: string }[]>(run, "routeTableAssociations");
  return ids.map((id) => assoc.find((a) => a.subnetId === id)!.routeTableId);
}

export function decodeUserData(lt: RecordedResource): string {
  return Buffer.from(String(lt.inputs.userData), "base64").toString("utf8");
}
