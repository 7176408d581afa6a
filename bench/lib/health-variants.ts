/**
 * The servers a health-cost bench runs side by side: health on, health off, and (with a control) a second,
 * identical "off" whose difference from the first is the measurement's own noise. Indexes: ON, OFF, CTL.
 */
export function healthVariants(control: boolean): { name: string; args: string[] }[] {
  return [
    { name: 'health on', args: [] },
    { name: 'health off', args: ['--health', 'off'] },
    ...(control ? [{ name: 'control (off)', args: ['--health', 'off'] }] : []),
  ];
}

export const ON = 0;
export const OFF = 1;
export const CTL = 2;

/** One server of a round: instance `copy` of variant `variant` (its index in the variants). */
export interface HealthInstance {
  readonly name: string;
  readonly args: string[];
  readonly variant: number;
  readonly copy: number;
  readonly label: string;
}

/** `copies` instances of every variant, copy by copy (variants in order within each): a round's servers. */
export function healthInstances(variants: readonly { name: string; args: string[] }[], copies: number): HealthInstance[] {
  return Array.from({ length: copies }, (_, c) => variants.map((v, variant) => ({
    ...v, variant, copy: c, label: copies > 1 ? `${v.name} #${c + 1}` : v.name,
  }))).flat();
}
