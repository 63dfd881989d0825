"""Remote mode (`--api URL`): the use cases the CLI calls, over HTTP to `solvereign serve`."""
