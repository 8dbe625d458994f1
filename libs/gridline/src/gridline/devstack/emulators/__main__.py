"""`python -m gridline.devstack.emulators`: the vendor emulators on HOST/PORT, configured from the environment."""

from __future__ import annotations

import os

import uvicorn

from gridline.devstack.emulators.app import create_app

DEFAULT_PORT = 8190

if __name__ == "__main__":
    uvicorn.run(
        create_app(),
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", DEFAULT_PORT)),
        log_level="warning",
        access_log=False,  # request lines carry robots' tokens in their query
    )
