import { ENVIRONMENT_NAME, SERVICE_NAME, SERVICE_NAME_RULE } from "@berth/core";

/**
 * The environment and the service a stack of berth-service is for: `<env>.<service>`, e.g.
 * `prod.orders`. Neither part contains a dot, so the name splits one way only.
 *
 * @example
 * parseStackName("prod.orders"); // { environment: "prod", service: "orders" }
 */
export function parseStackName(stack: string): { environment: string; service: string } {
  const parts = stack.split(".");
  const [environment, service] = parts;
  if (parts.length !== 2 || !environment || !service) {
    throw new Error(
      `stack ${JSON.stringify(stack)}: a berth-service stack is named <environment>.<service>, e.g. prod.orders`,
    );
  }
  if (!ENVIRONMENT_NAME.test(environment)) {
    throw new Error(
      `stack ${JSON.stringify(stack)}: ${JSON.stringify(environment)} is not an environment name`,
    );
  }
  if (!SERVICE_NAME.test(service)) {
    throw new Error(
      `stack ${JSON.stringify(stack)}: ${JSON.stringify(service)} is not a service name (${SERVICE_NAME_RULE})`,
    );
  }
  return { environment, service };
}
