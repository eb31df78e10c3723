"""photoclip's Qt-free core: everything the CLI and the GUI share."""
