"""The exit statuses of the `photoclip` command (a light module: the client of an owner
process needs them before anything heavy is imported)."""

# Exit statuses of the `photoclip` command (also in `photoclip --help` and the README).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_PIPE_CLOSED = 0, 1, 2, 130, 141
EXIT_CODES = f"""exit status:
  {EXIT_OK}    done
  {EXIT_FAILED}    the command could not be done (a file missing or unreadable, an album not found,
       the library busy, the model missing, ...)
  {EXIT_USAGE}    the command line is wrong (an unknown option, a value out of range, a malformed
       query, a name that is not one of the choices, which the message lists): fix the command
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)
  {EXIT_PIPE_CLOSED}  the output was closed early (e.g. `photoclip tags | head`)
with --json every error is one JSON object on stdout:
  {{"error": {{"type": ..., "kind": "usage" | "failed" | "interrupted", "message": ...,
             "hint": ... or null, "exit_code": ...}}}}"""
