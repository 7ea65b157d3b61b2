/**
 * Fargate's task sizes. AWS accepts only these CPU/memory pairs (Linux; 8 and 16 vCPU need platform
 * version 1.4.0 or later, which `LATEST` is):
 *
 * | cpu   | memory (MiB)                          |
 * |-------|---------------------------------------|
 * | 256   | 512, 1024, 2048                       |
 * | 512   | 1024 to 4096 in 1024 steps            |
 * | 1024  | 2048 to 8192 in 1024 steps            |
 * | 2048  | 4096 to 16384 in 1024 steps           |
 * | 4096  | 8192 to 30720 in 1024 steps           |
 * | 8192  | 16384 to 61440 in 4096 steps          |
 * | 16384 | 32768 to 122880 in 8192 steps         |
 */
const FARGATE_SIZES: Record<number, { min: number; max: number; step: number; first?: number[] }> = {
  256: { min: 512, max: 2048, step: 1024, first: [512] },
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
};

/** The task CPU values Fargate offers, in CPU units (1024 = 1 vCPU). */
export const FARGATE_CPU_VALUES: readonly number[] = Object.keys(FARGATE_SIZES).map(Number);

/**
 * The memory values (MiB) Fargate accepts for a task CPU value; empty when the CPU value is not one
 * Fargate offers.
 *
 * @example
 * fargateMemoryOptions(256); // [512, 1024, 2048]
 */
export function fargateMemoryOptions(cpu: number): number[] {
  const size = FARGATE_SIZES[cpu];
  if (!size) return [];
  const out = [...(size.first ?? [])];
  for (let m = size.first ? 1024 : size.min; m <= size.max; m += size.step) out.push(m);
  return out;
}

/** Describes the memory values allowed for a CPU value, for error messages. */
export function describeFargateMemory(cpu: number): string {
  const size = FARGATE_SIZES[cpu];
  if (!size) return `cpu must be one of ${FARGATE_CPU_VALUES.join(", ")}`;
  if (size.first)
    return `with cpu ${cpu}, Fargate accepts memory ${fargateMemoryOptions(cpu).join(", ")} (MiB)`;
  return `with cpu ${cpu}, Fargate accepts memory from ${size.min} to ${size.max} MiB in steps of ${size.step}`;
}
