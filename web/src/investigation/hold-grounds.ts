/**
 * The grounds a hold may name. src/notify/holds.ts (which imports the database layer) holds
 * the rule; this copy is checked against it by test/console/investigation.test.ts.
 */
export const HOLD_GROUNDS = ['risk_to_other_customers', 'extreme_circumstance'] as const;
