// What a caught value says, for a message a user reads: the core's errors already name the action,
// the URL and what to do, so their message is used as it is.
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
