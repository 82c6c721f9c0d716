/** Rollback by compensating events and the debts it leaves (issue 18, ADR 024). */
export { requestRollback, approveRollback, getRollback, listRollbacks, openDebts, type Rollback, type RequestRollback } from "./apply";
export { planRollback, type RollbackPlan, type Debt } from "./plan";
export { RollbackError, type TargetKind, type Want } from "./wants";
export { proposeRollback, applyRollback } from "./propose";
