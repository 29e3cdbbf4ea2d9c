/** An enum value as words on screen: `customer_responsibility` → "customer responsibility". */
export function words(value: string): string {
  return value.replaceAll('_', ' ');
}
