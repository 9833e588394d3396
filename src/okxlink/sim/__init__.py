"""OKX V5-compatible REST simulator: fake accounts, an ASGI app and a loopback runner.

Importing this package is cheap on purpose: the server parts (starlette, uvicorn) are imported only
by `okxlink.sim.okx_app` and `okxlink.sim.runner`. See docs/simulator.md.
"""
