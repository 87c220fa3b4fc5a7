// The one logger shape every Stratus process writes through: what a module needs to
// say something, so that the process (main.ts) alone picks where lines go.
export type Logger = Pick<Console, "info" | "warn" | "error">;
