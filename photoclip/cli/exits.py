"""The exit statuses of the `photoclip` command (a light module: the client of an owner
process needs them before anything heavy is imported)."""

# Exit statuses of the `photoclip` command (also in `photoclip --help` and the README).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_PIPE_CLOSED = 0, 1, 2, 130, 141
#: The values of the exit-status table's fields (its text, to translate, is
#: ``photoclip.cli.output.EXIT_CODES``).
EXIT_STATUSES = {"ok": EXIT_OK, "failed": EXIT_FAILED, "usage": EXIT_USAGE,
                 "interrupted": EXIT_INTERRUPTED, "closed": EXIT_PIPE_CLOSED}
