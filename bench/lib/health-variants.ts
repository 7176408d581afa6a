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
