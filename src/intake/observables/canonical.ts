/** The canonical form of one indicator, shared by the per-kind canonicalisers. */
export interface Canonical {
  /** The spelling every sender's variant maps to; what observables are compared by. */
  value: string;
  /** A human form where it differs from `value` (a domain's Unicode spelling). */
  display?: string;
  /** Roles the value implies by itself, whoever sent it (a hash's algorithm). */
  tags?: string[];
}
