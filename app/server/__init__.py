"""The HTTP server (`solvereign serve`): routes translate HTTP to app/ops calls and ops errors to
status codes. No domain logic and no SQL here; only this package and app/remote know about HTTP."""
