"""photoclip's command line: thin commands over :class:`photoclip.core.library.Library`."""
